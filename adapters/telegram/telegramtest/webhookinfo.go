package telegramtest

// getWebhookInfo answers with the webhook set by setWebhook and the number
// of updates not yet confirmed.
func (s *Server) getWebhookInfo() reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ok(map[string]any{"url": s.webhook, "pending_update_count": len(s.updates), "has_custom_certificate": false})
}
