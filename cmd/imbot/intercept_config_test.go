package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestInterceptorsDecodeWithSecrets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "imbot.toml")
	file := "[[interceptors]]\nname = \"orders\"\nkeywords = [\"order\"]\nurl = \"https://orders.test/hook\"\n" +
		"timeout = \"2s\"\nsecret_env = \"ORDERS_SECRET\"\nmode = \"context\"\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(path, func(k string) string { return map[string]string{"ORDERS_SECRET": "s3"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	ic := cfg.Interceptors[0]
	if ic.Name != "orders" || ic.Secret != "s3" || ic.Timeout != 2*time.Second || ic.Mode != "context" {
		t.Fatalf("interceptor = %+v", ic)
	}
	bad := "[[interceptors]]\nname = \"x\"\nurl = \"nope\"\n"
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = loadConfig(path, noEnv)
	if err == nil || !strings.Contains(err.Error(), "interceptors[0].url") || !strings.Contains(err.Error(), "interceptors[0].pattern") {
		t.Fatalf("error = %v, want the interceptor's keys named", err)
	}
}

func TestExperimentsDecodeAndValidate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "imbot.toml")
	file := "[[experiments]]\nname = \"terse\"\nshare = 0.25\nsystem_prompt = \"Be brief.\"\ngeneral = [\"local\"]\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(path, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if e := cfg.Experiments[0]; e.Name != "terse" || e.Share != 0.25 || e.General[0] != "local" {
		t.Fatalf("experiment = %+v", e)
	}
	bad := "[[experiments]]\nname = \"x\"\nshare = 1.5\ngeneral = [\"nowhere\"]\n"
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = loadConfig(path, noEnv)
	if err == nil || !strings.Contains(err.Error(), "experiments[0].share") || !strings.Contains(err.Error(), "experiments[0].general[0]") {
		t.Fatalf("error = %v, want the experiment's keys named", err)
	}
}
