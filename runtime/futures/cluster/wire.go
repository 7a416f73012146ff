package cluster

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/asyncgo/asyncgo/runtime/futures/internal/remote"
)

// The reply of a worker, as futures runs the call.
type (
	reply   = remote.Reply
	failure = remote.Failure
)

// The messages of a Pool. A task's message carries, before the
// registered function's arguments (one gob stream, as for a ProcessPool),
// a small binary envelope:
//
//	uvarint id       the task's number in its client
//	varint  deadline Unix nanoseconds; the worker stops the call then
//	uvarint limit    the largest result message the client accepts
//	uvarint n        how many arguments (one for Submit, a chunk for Map)
//	string  func     the registered name (uvarint length, bytes)
//	string  reply    the client's results subject
//
// A result is uvarint id, a kind byte, then for resultDone the
// ProcessPool's reply (its results' gob stream as a string, a uvarint
// count of failures, each as uvarint index, string error, a panic byte and
// string stack), and for resultTooLarge a message.
// A cancellation is uvarint id, varint deadline, then the reply subject:
// the pair (reply, id) names a task across every client of a pool.
type clusterTask struct {
	id       uint64
	deadline time.Time
	limit    int
	n        int
	fn       string
	reply    string
	args     []byte
}

const (
	resultDone     byte = iota // the call ran: a reply follows
	resultStarted              // a worker started the call
	resultTooLarge             // the result was over the limit
)

var errBadMessage = errors.New("malformed message")

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func (t *clusterTask) encode() []byte {
	b := make([]byte, 0, 48+len(t.fn)+len(t.reply)+len(t.args))
	b = binary.AppendUvarint(b, t.id)
	b = binary.AppendVarint(b, t.deadline.UnixNano())
	b = binary.AppendUvarint(b, uint64(t.limit))
	b = binary.AppendUvarint(b, uint64(t.n))
	b = appendString(b, t.fn)
	b = appendString(b, t.reply)
	return append(b, t.args...)
}

// wireReader reads an envelope, remembering the first error.
type wireReader struct {
	b   []byte
	err error
}

func (r *wireReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, r.b = errBadMessage, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *wireReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err, r.b = errBadMessage, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *wireReader) string() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err, r.b = errBadMessage, nil
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func decodeTask(b []byte) (*clusterTask, error) {
	r := wireReader{b: b}
	t := &clusterTask{id: r.uvarint()}
	t.deadline = time.Unix(0, r.varint())
	t.limit = int(r.uvarint())
	t.n = int(r.uvarint())
	t.fn = r.string()
	t.reply = r.string()
	t.args = r.b
	return t, r.err
}

// taskID reads the id that starts a task's message.
func taskID(b []byte) (uint64, bool) {
	id, n := binary.Uvarint(b)
	return id, n > 0
}

// encodeResult appends id and kind to buf, then body.
func encodeResult(id uint64, kind byte, buf []byte, body ...byte) []byte {
	buf = binary.AppendUvarint(buf, id)
	buf = append(buf, kind)
	return append(buf, body...)
}

func encodeReply(id uint64, r *reply) []byte {
	n := 24 + len(r.Results)
	for _, f := range r.Fails {
		n += 12 + len(f.Err) + len(f.Stack)
	}
	b := encodeResult(id, resultDone, make([]byte, 0, n))
	b = appendString(b, string(r.Results))
	b = binary.AppendUvarint(b, uint64(len(r.Fails)))
	for _, f := range r.Fails {
		b = binary.AppendUvarint(b, uint64(f.Index))
		b = appendString(b, f.Err)
		var panicked byte
		if f.Panic {
			panicked = 1
		}
		b = append(b, panicked)
		b = appendString(b, f.Stack)
	}
	return b
}

// decodeReply reads what encodeReply appended after the kind byte.
func decodeReply(b []byte) (*reply, error) {
	rd := wireReader{b: b}
	r := &reply{Results: []byte(rd.string())}
	n := rd.uvarint()
	if n > uint64(len(rd.b)) {
		return nil, errBadMessage
	}
	for range n {
		f := failure{Index: int(rd.uvarint()), Err: rd.string()}
		if len(rd.b) == 0 {
			return nil, errBadMessage
		}
		f.Panic, rd.b = rd.b[0] == 1, rd.b[1:]
		f.Stack = rd.string()
		r.Fails = append(r.Fails, f)
	}
	return r, rd.err
}

func decodeResult(b []byte) (id uint64, kind byte, body []byte, err error) {
	r := wireReader{b: b}
	id = r.uvarint()
	if r.err != nil || len(r.b) == 0 {
		return 0, 0, nil, errBadMessage
	}
	return id, r.b[0], r.b[1:], nil
}

func encodeCancel(id uint64, deadline time.Time, reply string) []byte {
	b := binary.AppendUvarint(nil, id)
	b = binary.AppendVarint(b, deadline.UnixNano())
	return append(b, reply...)
}

func decodeCancel(b []byte) (key cancelKey, deadline time.Time, err error) {
	r := wireReader{b: b}
	key.id = r.uvarint()
	deadline = time.Unix(0, r.varint())
	key.reply = string(r.b)
	return key, deadline, r.err
}

// cancelKey names a task across the clients of a pool.
type cancelKey struct {
	reply string
	id    uint64
}
