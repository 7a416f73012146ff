// Package bug is a held-out kernel (issue 14): Badger's Stream framework
// runs NumGo producer goroutines that fill a bounded kvChan and one
// streamKVs goroutine that drains it into the caller's Send. When Send
// fails, streamKVs returns its error and nobody reads kvChan any more; the
// producers fill its 32 slots and then block in a select on the full
// channel or ctx.Done(), but Orchestrate never cancels ctx, so they block
// for ever and Orchestrate blocks in wg.Wait() behind them.
//
// Upstream: dgraph-io/badger#1604 ("fix(stream): Stop produceKVs on error")
// Round: 18
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: the PR: "The orchestrate function would get blocked forever if send
// function returned an error. The produceKv go routines would also get
// blocked since the size of the error chan was 1." Reduced from stream.go
// of badger v2.2007: produceRanges feeds key ranges on rangeCh; each
// produceKVs iterates its ranges and calls sendIt, a select between
// `st.kvChan <- outList` and ctx.Done(); streamKVs receives from kvChan,
// slurps more lists and calls st.Send. The iterator and the KV protobufs
// are reduced to a key source and small structs; the progress ticker and
// logging are left out.
//
// Fix: Orchestrate wraps ctx with context.WithCancel (deferring cancel),
// the streamKVs goroutine calls cancel() when it returns an error, and
// errCh gets room for NumGo errors.
package bug

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"
)

const pageSize = 4 << 20

// KV is one key-value version.
type KV struct {
	Key, Value []byte
	Version    uint64
	StreamId   uint32
}

// KVList is a batch of KVs.
type KVList struct{ Kv []*KV }

type keyRange struct{ left, right []byte }

// Source is the key space the stream iterates.
type Source interface {
	KeySplits(prefix []byte) []string
	Scan(left, right []byte, fn func(kv *KV) error) error
}

// Stream streams a key range out of the DB to Send.
type Stream struct {
	Prefix    []byte
	NumGo     int
	ChooseKey func(kv *KV) bool
	// Send is called serially by one goroutine.
	Send func(*KVList) error

	db           Source
	rangeCh      chan keyRange
	kvChan       chan *KVList
	nextStreamId uint32
}

func (st *Stream) produceRanges(ctx context.Context) {
	start := st.Prefix
	for _, key := range st.db.KeySplits(st.Prefix) {
		st.rangeCh <- keyRange{left: start, right: []byte(key)}
		start = []byte(key)
	}
	st.rangeCh <- keyRange{left: start}
	close(st.rangeCh)
}

// produceKVs picks up ranges from rangeCh and sends KV lists to kvChan.
func (st *Stream) produceKVs(ctx context.Context, threadId int) error {
	var size int
	iterate := func(kr keyRange) error {
		streamId := atomic.AddUint32(&st.nextStreamId, 1)
		outList := new(KVList)
		sendIt := func() error {
			select { // heldout:site
			case st.kvChan <- outList:
			case <-ctx.Done():
				return ctx.Err()
			}
			outList = new(KVList)
			size = 0
			return nil
		}
		err := st.db.Scan(kr.left, kr.right, func(kv *KV) error {
			if len(kr.right) > 0 && bytes.Compare(kv.Key, kr.right) >= 0 {
				return nil
			}
			if st.ChooseKey != nil && !st.ChooseKey(kv) {
				return nil
			}
			kv.StreamId = streamId
			size += len(kv.Key) + len(kv.Value)
			outList.Kv = append(outList.Kv, kv)
			if size < pageSize {
				return nil
			}
			return sendIt()
		})
		if err != nil {
			return err
		}
		if len(outList.Kv) > 0 {
			return sendIt()
		}
		return nil
	}

	for {
		select {
		case kr, ok := <-st.rangeCh:
			if !ok {
				return nil
			}
			if err := iterate(kr); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (st *Stream) streamKVs(ctx context.Context) error {
	slurp := func(batch *KVList) error {
	loop:
		for {
			select {
			case kvs, ok := <-st.kvChan:
				if !ok {
					break loop
				}
				batch.Kv = append(batch.Kv, kvs.Kv...)
			default:
				break loop
			}
		}
		return st.Send(batch)
	}

	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case kvs, ok := <-st.kvChan:
			if !ok {
				return nil
			}
			if err := slurp(kvs); err != nil {
				return err // heldout:site
			}
		}
	}
}

// Orchestrate runs the stream and returns the first error.
func (st *Stream) Orchestrate(ctx context.Context) error {
	st.rangeCh = make(chan keyRange, 3)
	st.kvChan = make(chan *KVList, 32)

	go st.produceRanges(ctx)

	errCh := make(chan error, 1)
	var wg sync.WaitGroup
	for i := 0; i < st.NumGo; i++ {
		wg.Add(1)
		go func(threadId int) {
			defer wg.Done()
			if err := st.produceKVs(ctx, threadId); err != nil {
				select {
				case errCh <- err:
				default:
				}
			}
		}(i)
	}

	kvErr := make(chan error, 1)
	go func() {
		kvErr <- st.streamKVs(ctx)
	}()
	wg.Wait() // heldout:site
	close(st.kvChan)

	select {
	case err := <-errCh:
		return err
	default:
	}
	return <-kvErr
}

// NewStream returns a stream over db.
func NewStream(db Source) *Stream {
	return &Stream{db: db, NumGo: 16}
}
