package check

import (
	"reflect"
	"regexp"
	"strings"
)

// indexRE matches the array indexes of a key path.
var indexRE = regexp.MustCompile(`\[[0-9]+\]`)

// stripIndexes turns "providers[1].model" into "providers.model".
func stripIndexes(path string) string { return indexRE.ReplaceAllString(path, "") }

// knownKeys returns the TOML keys of the table at path (indexes stripped)
// in the configuration type t, and false when path does not lead to a
// table whose keys are fixed (a map takes any key).
func knownKeys(t reflect.Type, path []string) ([]string, bool) {
	for _, seg := range path {
		fields := tomlFields(t)
		ft, ok := fields[seg]
		if !ok {
			return nil, false
		}
		t = ft
	}
	t = tableType(t)
	if t.Kind() != reflect.Struct {
		return nil, false
	}
	keys := make([]string, 0, t.NumField())
	for k := range tomlFields(t) {
		keys = append(keys, k)
	}
	return keys, true
}

// tableType looks through pointers and slices to the element type.
func tableType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	return t
}

// tomlFields returns the TOML keys of struct type t (through pointers and
// slices) with their types; embedded structs without a tag lend their keys.
func tomlFields(t reflect.Type) map[string]reflect.Type {
	t = tableType(t)
	fields := map[string]reflect.Type{}
	if t.Kind() != reflect.Struct {
		return fields
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		switch {
		case tag == "-":
		case f.Anonymous && tag == "":
			for k, v := range tomlFields(f.Type) {
				fields[k] = v
			}
		case !f.IsExported():
		case tag != "":
			fields[tag] = f.Type
		default:
			fields[strings.ToLower(f.Name)] = f.Type
		}
	}
	return fields
}

// closest returns the known key nearest to key by edit distance, if it is
// near enough to be a likely typo.
func closest(key string, known []string) (string, bool) {
	best, bestD := "", len(key)/3+2
	for _, k := range known {
		if d := distance(key, k); d < bestD || (d == bestD && k < best) {
			best, bestD = k, d
		}
	}
	return best, best != ""
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
