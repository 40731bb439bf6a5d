package catalog

import "strings"

// PagePrefix starts the id of every text the browser chat page shows; the
// web adapter serves the texts with this prefix to the page.
const PagePrefix = "web_"

// allEntries returns every built-in text: the chat messages, then the
// browser chat page's.
func allEntries() []entry { return append(defaultTable(), pageTable()...) }

// PageIDs returns the ids of the texts the browser chat page may show, in
// a fixed order.
func PageIDs() []ID {
	var ids []ID
	for _, id := range IDs() {
		if strings.HasPrefix(string(id), PagePrefix) {
			ids = append(ids, id)
		}
	}
	return ids
}

// pageTable returns the texts of the browser chat page. The page refers to
// them by id; a test checks that every id it uses is here.
func pageTable() []entry {
	return []entry{
		{"web_new_chat", "新对话", "New chat"},
		{"web_conversations", "对话", "Conversations"},
		{"web_show_conversations", "显示对话列表", "Show conversations"},
		{"web_untitled", "新对话", "New conversation"},
		{"web_rename", "重命名", "Rename"},
		{"web_rename_label", "对话标题", "Conversation title"},
		{"web_delete", "删除", "Delete"},
		{"web_delete_confirm", "删除对话“{title}”？", "Delete the conversation \"{title}\"?"},
		{"web_save", "保存", "Save"},
		{"web_cancel", "取消", "Cancel"},
		{"web_close", "关闭", "Close"},
		{"web_message_label", "消息", "Message"},
		{"web_placeholder", "输入问题，Enter 发送", "Ask a question; Enter sends"},
		{"web_send", "发送", "Send"},
		{"web_stop", "停止", "Stop"},
		{"web_stopped", "已停止", "Stopped"},
		{"web_regenerate", "重新回答", "Regenerate"},
		{"web_copy", "复制", "Copy"},
		{"web_copy_code", "复制代码", "Copy code"},
		{"web_copied", "已复制", "Copied"},
		{"web_you", "你", "You"},
		{"web_assistant", "助手", "Assistant"},
		{"web_empty", "有什么可以帮你？", "How can I help?"},
		{"web_suggestions", "可以这样问：", "You could ask:"},
		{"web_status_connecting", "正在连接…", "Connecting…"},
		{"web_status_online", "已连接", "Connected"},
		{"web_status_offline", "已断开，正在重连…", "Offline, reconnecting…"},
		{"web_status_signin", "需要登录", "Sign in needed"},
		{"web_signin_title", "登录", "Sign in"},
		{"web_signin_text", "这个聊天需要访问令牌，请向管理员索取。", "This chat needs an access token. Ask its operator for one."},
		{"web_token_label", "访问令牌", "Access token"},
		{"web_token_wrong", "这个令牌不被接受，请检查后重试。", "That token was not accepted. Check it and try again."},
		{"web_signin", "登录", "Sign in"},
		{"web_too_long", "消息太长（上限 {limit} 字节）。", "The message is too long (the limit is {limit} bytes)."},
		{"web_err_busy", "机器人正忙，请稍后再试。", "The bot is busy; try again soon."},
		{"web_err_rate_limited", "消息发得太快了，请慢一点。", "Too many messages; slow down."},
		{"web_err_bad_request", "服务器无法处理这条消息。", "The server could not handle that message."},
		{"web_route_faq", "来自常见问题", "from the FAQ"},
		{"web_route_faq_guess", "最接近的答案", "best guess"},
		{"web_route_cache", "已保存的回答", "saved answer"},
		{"web_route_degraded", "离线回复", "offline reply"},
		{"web_route_command", "命令", "command"},
	}
}
