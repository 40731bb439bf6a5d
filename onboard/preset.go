package onboard

// preset is a model provider the wizard knows: where it is, a model to
// start with, and the variable its key goes in.
type preset struct {
	name    string
	baseURL string // "" asks for one
	model   string // "" asks for one
	keyEnv  string // "" needs no key
	// keyOptional asks for a key that may be left empty.
	keyOptional bool
	thirdParty  bool
}

// presets are the choices of msgProviderChoice, in its order.
var presets = [...]preset{
	{name: "openai", baseURL: "https://api.openai.com/v1", model: "gpt-4o-mini", keyEnv: "OPENAI_API_KEY", thirdParty: true},
	{name: "deepseek", baseURL: "https://api.deepseek.com/v1", model: "deepseek-chat", keyEnv: "DEEPSEEK_API_KEY", thirdParty: true},
	{name: "qwen", baseURL: "https://dashscope.aliyuncs.com/compatible-mode/v1", model: "qwen-plus", keyEnv: "DASHSCOPE_API_KEY", thirdParty: true},
	{name: "ollama", baseURL: "http://127.0.0.1:11434/v1", model: "qwen2.5:3b"},
	{name: "custom", keyEnv: "CUSTOM_API_KEY", keyOptional: true, thirdParty: true},
}
