// Package fixed is the fixed version of buffered/badger_1604: Orchestrate
// derives a cancellable context and the streamKVs goroutine cancels it when
// Send fails, so producers blocked on the full kvChan return through
// ctx.Done() and wg.Wait() completes. As upstream's fixed code does,
// produceRanges still sends on rangeCh without watching ctx; with more
// split points than rangeCh holds, it can stay blocked after the
// producers quit on an error (a leak upstream's fix did not address).
package fixed

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
			select {
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
				return err
			}
		}
	}
}

// Orchestrate runs the stream and returns the first error.
func (st *Stream) Orchestrate(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st.rangeCh = make(chan keyRange, 3)
	st.kvChan = make(chan *KVList, 32)

	go st.produceRanges(ctx)

	errCh := make(chan error, st.NumGo)
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
		err := st.streamKVs(ctx)
		if err != nil {
			cancel() // Stop all the producers.
		}
		kvErr <- err
	}()
	wg.Wait()
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
