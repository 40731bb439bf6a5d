package check

import (
	"errors"
	"regexp"
	"strconv"

	"github.com/BurntSushi/toml"
)

// typeErrorRE is how the TOML decoder words a value of the wrong type.
var typeErrorRE = regexp.MustCompile(`^toml: line ([0-9]+) \(last key ("(?:[^"\\]|\\.)*")\): (.+)$`)

// DecodeProblem places an error of the TOML decoder: a parse error, a value
// out of range or a value of the wrong type. It returns false for an error
// it cannot place on a line.
func DecodeProblem(err error) (Problem, bool) {
	var perr toml.ParseError
	if errors.As(err, &perr) {
		return Problem{Key: perr.LastKey, Line: perr.Position.Line, Msg: perr.Message}, perr.Position.Line > 0
	}
	if err == nil {
		return Problem{}, false
	}
	m := typeErrorRE.FindStringSubmatch(err.Error())
	if m == nil {
		return Problem{}, false
	}
	line, lerr := strconv.Atoi(m[1])
	key, kerr := strconv.Unquote(m[2])
	if lerr != nil || kerr != nil || line < 1 {
		return Problem{}, false
	}
	return Problem{Key: key, Line: line, Msg: m[3]}, true
}
