package catalog

// ID names one message of the catalogue. Its string form is the key an
// operator uses under [texts.zh] and [texts.en].
type ID string

// The messages every user may read. Placeholders are written {name}.
const (
	// Degraded answers when no model could answer, cause unknown.
	Degraded ID = "degraded"
	// DegradedUnavailable answers when every provider is down or its breaker is open.
	DegradedUnavailable ID = "degraded_unavailable"
	// DegradedTimeout answers when the model took too long.
	DegradedTimeout ID = "degraded_timeout"
	// FAQBestGuess is put before a knowledge base answer given as a fallback.
	FAQBestGuess ID = "faq_best_guess"
	// AnswerCached is appended to an answer served from the answer cache.
	AnswerCached ID = "answer_cached"
	// Interrupted ends a reply whose model stream broke midway.
	Interrupted ID = "interrupted"
	// BudgetFAQOnly answers, past the daily budget, what the FAQ cannot.
	BudgetFAQOnly ID = "budget_faq_only"
	// BudgetCheaper tells the user answers now come from a cheaper model.
	BudgetCheaper ID = "budget_cheaper"
	// Busy answers at once when the queue is full (load shedding).
	Busy ID = "busy"
	// RateLimited answers a sender over the rate limit.
	RateLimited ID = "rate_limited"
	// ServiceProblem answers when the message could not be stored.
	ServiceProblem ID = "service_problem"
	// ReplyMoved ends a reply a restart could not continue; the answer
	// follows in a new message.
	ReplyMoved ID = "reply_moved"
	// SensitiveRefused answers a message stopped by the sensitive-word filter.
	SensitiveRefused ID = "sensitive_refused"
	// SensitiveWithheld replaces an answer stopped by the sensitive-word filter.
	SensitiveWithheld ID = "sensitive_withheld"
	// Denied answers a sender the allow-list does not admit.
	Denied ID = "denied"
	// InputTruncated tells the user only the first {limit} characters were read.
	InputTruncated ID = "input_truncated"
	// TextOnly answers a message without text (sticker, photo, file).
	TextOnly ID = "text_only"
	// ResetDone confirms /reset.
	ResetDone ID = "reset_done"
	// CancelDone confirms /cancel.
	CancelDone ID = "cancel_done"
	// CancelNothing answers /cancel when nothing is running.
	CancelNothing ID = "cancel_nothing"
	// StateExpired tells the user a pending question or form timed out.
	StateExpired ID = "state_expired"
	// FeedbackThanks thanks the user for feedback.
	FeedbackThanks ID = "feedback_thanks"
	// HelpIntro is the first line of /help.
	HelpIntro ID = "help_intro"
	// HelpLine is one command's line in /help: {command} and {help}.
	HelpLine ID = "help_line"
	// HelpAsk describes /ask in /help.
	HelpAsk ID = "help_ask"
	// HelpHelp describes /help in /help.
	HelpHelp ID = "help_help"
	// HelpReset describes /reset in /help.
	HelpReset ID = "help_reset"
	// HelpCancel describes /cancel in /help.
	HelpCancel ID = "help_cancel"
	// MenuAsk describes /ask in a platform's command menu.
	MenuAsk ID = "menu_ask"
	// HelpFAQ describes /faq in /help.
	HelpFAQ ID = "help_faq"
	// UnknownCommand answers a slash word that is no command: {command}.
	UnknownCommand ID = "unknown_command"
	// CommandFailed answers a command that failed: {command}.
	CommandFailed ID = "command_failed"
	// AskUsage answers /ask without a question.
	AskUsage ID = "ask_usage"
	// FAQAdminOnly answers /faq from a user who is no admin.
	FAQAdminOnly ID = "faq_admin_only"
	// FAQAddUsage explains /faq add.
	FAQAddUsage ID = "faq_add_usage"
	// FAQNeedIDAnswer answers /faq add without an id or an answer.
	FAQNeedIDAnswer ID = "faq_need_id_answer"
	// FAQNoEarlierQuestion answers /faq add without questions in a new conversation.
	FAQNoEarlierQuestion ID = "faq_no_earlier_question"
	// FAQReadOnly answers /faq add while the built-in knowledge base is in use.
	FAQReadOnly ID = "faq_read_only"
	// FAQNotAdded answers /faq add that failed: {error}.
	FAQNotAdded ID = "faq_not_added"
	// FAQAdded confirms /faq add: {id} and {count} questions.
	FAQAdded ID = "faq_added"
	// WebNotRunning is the browser chat's error while the chat is stopped.
	WebNotRunning ID = "web_not_running"
	// WebTooLarge is the browser chat's error for an oversized request.
	WebTooLarge ID = "web_too_large"
	// WebNotAccepted is the browser chat's error when a message was not accepted.
	WebNotAccepted ID = "web_not_accepted"
	// WebTimeout is the browser chat's error when no reply came in time.
	WebTimeout ID = "web_timeout"
	// WebShuttingDown is the browser chat's error while the server stops.
	WebShuttingDown ID = "web_shutting_down"
	// WebTooManyWaiting is the browser chat's error when one connection has too many pending messages.
	WebTooManyWaiting ID = "web_too_many_waiting"
	// WebTooManyConnections is the browser chat's error when it has no room for a connection.
	WebTooManyConnections ID = "web_too_many_connections"
	// WebBadFrame is the browser chat's error for a frame that is not JSON text.
	WebBadFrame ID = "web_bad_frame"
	// WebOriginDenied is the browser chat's error for a page of another origin.
	WebOriginDenied ID = "web_origin_denied"
	// WebTokenRequired is the browser chat's error without a valid token.
	WebTokenRequired ID = "web_token_required"
)

// entry is one message in both languages.
type entry struct {
	id     ID
	zh, en string
}

// defaultTable returns the built-in texts, in the order /help and the tests
// list them. It is a function so that no package state can be changed.
func defaultTable() []entry {
	return []entry{
		{Degraded,
			"抱歉，我现在无法回答。请过一分钟再试。",
			"Sorry, I can't answer right now. Please try again in a minute."},
		{DegradedUnavailable,
			"抱歉，回答服务暂时不可用。请稍后再试，你的问题已记录下来。",
			"Sorry, the answering service is unavailable right now. Please try again later; your question has been noted."},
		{DegradedTimeout,
			"抱歉，这次回答花的时间太长了。请稍后再试，或者把问题问得更简短一些。",
			"Sorry, the answer took too long. Please try again later, or ask a shorter question."},
		{FAQBestGuess,
			"我暂时无法详细回答，以下是知识库中最接近的答案，供参考：",
			"I can't give a full answer right now; here is the closest answer from the knowledge base:"},
		{AnswerCached,
			"（此回答来自之前对相同问题的答复。）",
			"(This answer was given earlier to the same question.)"},
		{Interrupted,
			"[回答中断了：模型停止了响应。]",
			"[The answer was cut off because the model stopped responding.]"},
		{BudgetFAQOnly,
			"你今天的模型回答额度已用完。我仍然可以从知识库回答常见问题；其他问题请明天再试。",
			"You have used today's budget for model answers. I can still answer common questions from the knowledge base; for anything else, please try again tomorrow."},
		{BudgetCheaper,
			"你今天的额度快用完了，接下来的回答会来自一个更精简的模型。",
			"You have used most of today's budget, so the next answers come from a lighter model."},
		{Busy,
			"我现在消息太多，忙不过来。请稍后再试。",
			"I'm handling a lot of messages right now. Please try again in a moment."},
		{RateLimited,
			"你发消息太快了，请等一分钟再发。",
			"You are sending messages too fast. Please wait a minute."},
		{ServiceProblem,
			"服务暂时出了问题，你的消息没有保存。请稍后再试。",
			"The service has a problem right now; your message was not saved. Please try again later."},
		{ReplyMoved,
			"（服务重启，回答在下一条消息中继续。）",
			"(The service restarted; the answer continues in the next message.)"},
		{SensitiveRefused,
			"抱歉，我无法回应这条消息。",
			"Sorry, I can't respond to that message."},
		{SensitiveWithheld,
			"抱歉，这个回答无法显示。请换一种方式提问。",
			"Sorry, I can't show that answer. Please ask in another way."},
		{Denied,
			"抱歉，你没有使用这个机器人的权限。",
			"Sorry, you are not allowed to use this bot."},
		{InputTruncated,
			"你的消息太长，我只读了前 {limit} 个字符。",
			"Your message was long, so I read only the first {limit} characters."},
		{TextOnly,
			"抱歉，我目前只能读取文字消息。",
			"Sorry, I can read text only."},
		{ResetDone,
			"好的，我已经忘掉了我们之前的对话，让我们重新开始。",
			"Done — I've forgotten our conversation. Let's start afresh."},
		{CancelDone,
			"已取消。",
			"Cancelled."},
		{CancelNothing,
			"现在没有可以取消的操作。",
			"There is nothing to cancel."},
		{StateExpired,
			"等待时间太长，上一步已经过期。请重新开始。",
			"That took too long, so the previous step has expired. Please start again."},
		{FeedbackThanks,
			"谢谢你的反馈！",
			"Thank you for your feedback!"},
		{HelpIntro,
			"有什么问题都可以问我。在群里请 @我 或回复我的消息。",
			"Ask me anything. In groups, mention me or reply to me."},
		{HelpLine,
			"/{command} — {help}",
			"/{command} — {help}"},
		{HelpAsk,
			"/ask <问题> — 提一个问题",
			"/ask <question> — ask a question"},
		{HelpHelp,
			"查看我能做什么",
			"show what I can do"},
		{HelpReset,
			"忘掉这段对话，重新开始",
			"forget this conversation and start afresh"},
		{HelpCancel,
			"取消正在进行的操作",
			"cancel what is in progress"},
		{MenuAsk,
			"提一个问题",
			"ask a question"},
		{HelpFAQ,
			"管理员：/faq add <id> <答案> 添加一条知识库条目",
			"admins: /faq add <id> <answer> adds a knowledge base entry"},
		{UnknownCommand,
			"我不认识命令 /{command}。发送 /help 查看我能做什么。",
			"I don't know the command /{command}. Send /help to see what I can do."},
		{CommandFailed,
			"抱歉，/{command} 执行失败了，请再试一次。",
			"Sorry, /{command} failed. Please try again."},
		{AskUsage,
			"用法：/ask <问题>",
			"Usage: /ask <question>"},
		{FAQAdminOnly,
			"只有机器人的管理员可以修改知识库。",
			"Only the bot's admins may change the knowledge base."},
		{FAQAddUsage,
			"用法：/faq add <id> <答案>\n示例问题写在答案之后，每行一个，以“?”开头。没有示例问题时，使用本对话中上一个问题。",
			"Usage: /faq add <id> <answer>\nExample questions go on their own lines after the answer, each starting with \"?\". Without them, the last question asked in this conversation is used."},
		{FAQNeedIDAnswer,
			"需要同时提供 id 和答案。",
			"Both an id and an answer are needed."},
		{FAQNoEarlierQuestion,
			"本对话中没有之前的问题可以用作示例。",
			"No earlier question in this conversation to use as an example."},
		{FAQReadOnly,
			"内置知识库是只读的：请先配置你自己的知识库文件。",
			"The built-in knowledge base is read-only: configure a knowledge base file of your own first."},
		{FAQNotAdded,
			"没有添加：{error}",
			"Not added: {error}"},
		{FAQAdded,
			"已添加“{id}”，含 {count} 个示例问题；知识库已重新加载。",
			"Added \"{id}\" with {count} example question(s); the knowledge base is reloaded."},
		{WebNotRunning,
			"聊天服务还没有运行。",
			"The chat is not running."},
		{WebTooLarge,
			"请求内容太大。",
			"The request is too large."},
		{WebNotAccepted,
			"消息没有被接收，请重新发送。",
			"The message was not accepted; send it again."},
		{WebTimeout,
			"在等待时间内没有回复；回复稍后会出现在历史记录中。",
			"No reply within the request timeout; it will appear in the history."},
		{WebShuttingDown,
			"服务器正在关闭。",
			"The server is shutting down."},
		{WebTooManyWaiting,
			"这个连接上等待回复的消息太多了。",
			"Too many messages are waiting for a reply on this connection."},
		{WebTooManyConnections,
			"连接太多，请稍后再试。",
			"Too many connections; try again later."},
		{WebBadFrame,
			"消息格式不正确。",
			"Frames must be JSON text."},
		{WebOriginDenied,
			"不允许从这个网页访问。",
			"This page's origin is not allowed."},
		{WebTokenRequired,
			"需要有效的访问令牌。",
			"A valid token is required."},
	}
}
