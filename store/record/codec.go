package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"imbot/core"
)

// ErrCorrupt is wrapped by every record decoding error.
var ErrCorrupt = errors.New("corrupt record")

// enc appends the primitive fields of a record to a byte slice.
type enc struct{ b []byte }

// newEnc starts a record of the given version with room for size bytes.
func newEnc(version byte, size int) *enc {
	e := &enc{b: make([]byte, 0, size)}
	e.byte(version)
	return e
}

func (e *enc) byte(v byte)       { e.b = append(e.b, v) }
func (e *enc) uvarint(v uint64)  { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) varint(v int64)    { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) u64(v uint64)      { e.b = binary.BigEndian.AppendUint64(e.b, v) }
func (e *enc) float64(v float64) { e.u64(math.Float64bits(v)) }

func (e *enc) string(s string) {
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *enc) bool(v bool) {
	if v {
		e.byte(1)
		return
	}
	e.byte(0)
}

// time stores t as Unix seconds and nanoseconds; the location is not kept.
func (e *enc) time(t time.Time) {
	e.varint(t.Unix())
	e.uvarint(uint64(t.Nanosecond()))
}

// encodeV1 encodes v as a version 1 record of the one field write writes,
// with room for size bytes.
func encodeV1[T any](v T, size int, write func(e *enc, v T)) []byte {
	e := newEnc(V1, size)
	write(e, v)
	return e.b
}

// decodeV1 decodes a record that has only version 1 with read.
func decodeV1[T any](b []byte, read func(d *dec) T) (T, error) {
	d := dec{b: b}
	d.version(V1)
	v := read(&d)
	return v, d.done()
}

// dec reads the primitive fields of a record. The first failure sticks: later
// reads return zero values and err reports the first problem.
type dec struct {
	b []byte
	// all, when set, is the whole record as one string, from which string
	// reads are cut instead of copied: one allocation for a record's
	// strings instead of one each.
	all string
	err error
}

func (d *dec) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrCorrupt, what)
	}
	d.b = nil
}

// take consumes the next n bytes; it fails with what and returns nil when
// fewer are left.
func (d *dec) take(n int, what string) []byte {
	if len(d.b) < n {
		d.fail(what)
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *dec) byte() byte {
	if v := d.take(1, "truncated byte"); v != nil {
		return v[0]
	}
	return 0
}

func (d *dec) u64() uint64 {
	if v := d.take(8, "truncated uint64"); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (d *dec) uvarint() uint64 { return readVarint(d, binary.Uvarint, "bad uvarint") }
func (d *dec) varint() int64   { return readVarint(d, binary.Varint, "bad varint") }

// readVarint consumes one number read by read (binary.Uvarint or
// binary.Varint); it fails with what when there is none.
func readVarint[T int64 | uint64](d *dec, read func([]byte) (T, int), what string) T {
	v, n := read(d.b)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) float64() float64 { return math.Float64frombits(d.u64()) }

// int reads a varint that must fit an int.
func (d *dec) int() int {
	v := d.varint()
	if v < math.MinInt || v > math.MaxInt {
		d.fail("int out of range")
		return 0
	}
	return int(v)
}

// count reads a length prefix that must not exceed the remaining bytes
// divided by the smallest encoded size of one element.
func (d *dec) count(minElem int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/minElem) {
		d.fail("length exceeds record")
		return 0
	}
	return int(n)
}

func (d *dec) string() string {
	n := d.count(1)
	var s string
	if d.all != "" {
		at := len(d.all) - len(d.b) // d.b is the rest of the record
		s = d.all[at : at+n]
	} else {
		s = string(d.b[:n])
	}
	d.b = d.b[n:]
	return s
}

// message reads a message record nested as a string.
func (d *dec) message() core.Message {
	b := []byte(d.string())
	if d.err != nil {
		return core.Message{}
	}
	m, err := DecodeMessage(b)
	if err != nil {
		d.fail("bad nested message")
	}
	return m
}

func (d *dec) bool() bool {
	switch d.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail("bad bool")
	return false
}

func (d *dec) time() time.Time {
	sec := d.varint()
	nsec := d.uvarint()
	if nsec >= uint64(time.Second) {
		d.fail("bad nanoseconds")
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

// version reads the record's version byte and checks it is one of known.
func (d *dec) version(known ...byte) byte {
	v := d.byte()
	for _, k := range known {
		if v == k {
			return v
		}
	}
	d.fail("unknown record version")
	return 0
}

// done reports the first error, or an error when bytes are left over.
func (d *dec) done() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	return d.err
}

// conversation reads a conversation key; an empty string is the zero key.
func (d *dec) conversation() core.ConversationKey {
	s := d.string()
	if s == "" {
		return core.ConversationKey{}
	}
	k, err := core.ParseConversationKey(s)
	if err != nil {
		d.fail("bad conversation key")
	}
	return k
}
