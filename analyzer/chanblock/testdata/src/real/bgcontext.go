package real

import (
	"context"
	"fmt"
	"sync"
)

// After kubernetes/kubernetes#122152 (client-go's event broadcaster; our
// own reduction of the shape its description names): the broadcaster's
// goroutine could stop only when its context was canceled, and it was
// handed context.Background(), whose Done channel never closes, so
// Shutdown, which waits for the goroutine, never returned. Fix: derive a
// cancelable context and cancel it in Shutdown before waiting.
type broadcaster struct {
	wg     sync.WaitGroup
	events chan string
}

func newBroadcaster() *broadcaster {
	b := &broadcaster{events: make(chan string, 16)}
	b.wg.Add(1)
	go b.loop(context.Background())
	return b
}

func (b *broadcaster) Emit(e string) { b.events <- e }

func (b *broadcaster) loop(ctx context.Context) {
	defer b.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-b.events:
			fmt.Println(e)
		}
	}
}

func (b *broadcaster) Shutdown() {
	b.wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, but loop never returns \(its only way out waits on ctx.Done\(\) of the context.Background\(\) or context.TODO\(\) it is started with, which is never canceled\): its deferred wg.Done \(line \d+\) never runs`
}

type broadcasterFixed struct {
	wg     sync.WaitGroup
	events chan string
	cancel context.CancelFunc
}

func newBroadcasterFixed() *broadcasterFixed {
	b := &broadcasterFixed{events: make(chan string, 16)}
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	b.wg.Add(1)
	go b.loop(ctx)
	return b
}

func (b *broadcasterFixed) Emit(e string) { b.events <- e }

func (b *broadcasterFixed) loop(ctx context.Context) {
	defer b.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-b.events:
			fmt.Println(e)
		}
	}
}

func (b *broadcasterFixed) Shutdown() {
	b.cancel()
	b.wg.Wait()
}
