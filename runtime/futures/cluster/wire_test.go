package cluster

import (
	"reflect"
	"testing"
	"time"
)

func TestClusterWireRoundTrip(t *testing.T) {
	task := &clusterTask{id: 1 << 40, deadline: time.Unix(0, 1764150000123456789), limit: 1 << 20, n: 3, fn: "pkg.fn", reply: "asyncgo.p.results.X", args: []byte{1, 2, 3}}
	got, err := decodeTask(task.encode())
	if err != nil || !reflect.DeepEqual(got, task) {
		t.Errorf("task round trip: %+v, %v; want %+v", got, err, task)
	}
	r := &reply{Results: []byte("gob"), Fails: []failure{{Index: 1, Err: "boom"}, {Index: 2, Err: "p", Panic: true, Stack: "goroutine 1"}}}
	id, kind, body, err := decodeResult(encodeReply(7, r))
	if err != nil || id != 7 || kind != resultDone {
		t.Fatalf("result header: %v %v %v", id, kind, err)
	}
	if back, err := decodeReply(body); err != nil || !reflect.DeepEqual(back, r) {
		t.Errorf("reply round trip: %+v, %v; want %+v", back, err, r)
	}
	key, deadline, err := decodeCancel(encodeCancel(9, task.deadline, "subj"))
	if err != nil || key != (cancelKey{"subj", 9}) || !deadline.Equal(task.deadline) {
		t.Errorf("cancel round trip: %v %v %v", key, deadline, err)
	}
	// Truncated messages are errors, not panics.
	full := task.encode()
	for i := range len(full) - len(task.args) {
		if _, err := decodeTask(full[:i]); err == nil {
			t.Errorf("decodeTask of %d of %d bytes succeeded", i, len(full))
		}
	}
	enc := encodeReply(7, r)
	for i := 2; i < len(enc); i++ {
		if _, _, body, err := decodeResult(enc[:i]); err == nil {
			if _, err := decodeReply(body); err == nil {
				t.Errorf("decodeReply of %d of %d bytes succeeded", i, len(enc))
			}
		}
	}
}
