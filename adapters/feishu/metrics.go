package feishu

import "imbot/core/metric"

// metrics are the adapter's Prometheus series, all prefixed imbot_feishu_.
type metrics struct {
	reconnects  metric.Counter
	events      metric.CounterVec   // result
	acks        metric.CounterVec   // code
	ackSeconds  metric.HistogramVec // (no labels)
	cardUpdates metric.CounterVec   // kind
	apiErrors   metric.CounterVec   // op, code
	fallbacks   metric.CounterVec   // to
	// replayFailures counts trouble with a reply kept with its turn, by
	// what (save_ref, read_ref, card_abandoned).
	replayFailures metric.CounterVec
}

func newMetrics(r metric.Meter) *metrics {
	return &metrics{
		reconnects: r.Counter("imbot_feishu_reconnects_total",
			"Long-connection reconnects (SDK reconnects and client restarts).").With(),
		events: r.Counter("imbot_feishu_events_total",
			"Received message events by result (deliver, ignore, own, stale, unsupported, invalid, failed).", "result"),
		acks: r.Counter("imbot_feishu_webhook_acks_total",
			"Webhook answers by HTTP status.", "code"),
		ackSeconds: r.Histogram("imbot_feishu_webhook_ack_seconds",
			"Time from webhook request to answer.", []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3}),
		cardUpdates: r.Counter("imbot_feishu_card_updates_total",
			"Reply renders sent, by kind (cardkit, patch, text).", "kind"),
		apiErrors: r.Counter("imbot_feishu_api_errors_total",
			"Failed Feishu API calls by operation and Feishu code (0: HTTP or network error).", "op", "code"),
		replayFailures: r.Counter("imbot_feishu_reply_ref_failures_total",
			"Reply refs not saved or read, and cards of an earlier run that could not be continued, by what.", "what"),
		fallbacks: r.Counter("imbot_feishu_render_fallbacks_total",
			"Times a reply style was refused and the adapter fell back (to patch or text).", "to"),
	}
}
