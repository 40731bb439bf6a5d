package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// maxSecretBytes bounds a secret file named by a *_FILE variable.
const maxSecretBytes = 64 << 10

// readLimited reads a whole file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return data, nil
}

// secret returns the value of the environment variable name or, when that
// is empty, the trimmed contents of the file named by name+"_FILE".
func secret(getenv func(string) string, name string) (string, error) {
	if name == "" {
		return "", nil
	}
	if v := getenv(name); v != "" {
		return v, nil
	}
	file := getenv(name + "_FILE")
	if file == "" {
		return "", nil
	}
	data, err := readLimited(file, maxSecretBytes)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %w", name, err)
	}
	return strings.TrimSpace(string(data)), nil
}
