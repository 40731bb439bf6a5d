package web

import "errors"

var errTest = errors.New("injected failure")
