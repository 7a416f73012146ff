// Package fixed is the fixed version of chanrecv/bee_5447: runStrategy
// reads exactly one result per fetch it started and then decides from the
// counters, so it never waits for a result that will not come.
package fixed

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Strategy is a retrieval strategy.
type Strategy = int

const (
	NONE Strategy = iota
	DATA
	PROX
	RACE
	strategyCnt
)

var (
	errStrategyNotAllowed = errors.New("strategy not allowed")
	errStrategyFailed     = errors.New("strategy failed")
	ErrNotFound           = errors.New("storage: not found")
)

// Getter retrieves chunks from the network.
type Getter interface {
	Get(ctx context.Context, addr string) ([]byte, error)
}

// Putter stores reconstructed chunks locally.
type Putter interface {
	Put(ctx context.Context, addr string, data []byte) error
}

// Config is the decoder configuration.
type Config struct {
	Strategy     Strategy
	Strict       bool
	FetchTimeout time.Duration
}

type decoder struct {
	fetcher      Getter
	putter       Putter
	reconstruct  func(shards [][]byte, dataShards int) error
	addrs        []string
	inflight     []atomic.Bool
	cache        map[string]int
	waits        []chan struct{}
	rsbuf        [][]byte
	goodRecovery chan struct{}
	badRecovery  chan struct{}
	shardCnt     int
	parityCnt    int
	wg           sync.WaitGroup
	mu           sync.Mutex
	err          error
	fetchedCnt   atomic.Int32
	failedCnt    atomic.Int32
	cancel       func()
	remove       func()
	config       Config
}

// New returns a decoder for the children of an intermediate chunk.
func New(addrs []string, shardCnt int, g Getter, p Putter, reconstruct func([][]byte, int) error, remove func(), conf Config) *decoder {
	ctx, cancel := context.WithCancel(context.Background())
	size := len(addrs)
	d := &decoder{
		fetcher:      g,
		putter:       p,
		reconstruct:  reconstruct,
		addrs:        addrs,
		inflight:     make([]atomic.Bool, size),
		cache:        make(map[string]int, size),
		waits:        make([]chan struct{}, size),
		rsbuf:        make([][]byte, size),
		goodRecovery: make(chan struct{}),
		badRecovery:  make(chan struct{}),
		shardCnt:     shardCnt,
		parityCnt:    size - shardCnt,
		cancel:       cancel,
		remove:       remove,
		config:       conf,
	}
	for i := 0; i < shardCnt; i++ {
		d.cache[addrs[i]] = i
	}
	for i := 0; i < size; i++ {
		d.waits[i] = make(chan struct{})
	}
	if !conf.Strict || conf.Strategy != NONE {
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			d.err = d.prefetch(ctx)
		}()
	} else {
		close(d.badRecovery)
	}
	return d
}

// Get returns a data shard, waiting for the recovery if its fetch fails.
func (g *decoder) Get(ctx context.Context, addr string) ([]byte, error) {
	i, ok := g.cache[addr]
	if !ok {
		return nil, ErrNotFound
	}
	if err := g.fetch(ctx, i, true); err != nil {
		return nil, err
	}
	return g.getData(i), nil
}

func (g *decoder) fetch(ctx context.Context, i int, waitForRecovery bool) error {
	waitRecovery := func(err error) error {
		if !waitForRecovery {
			return err
		}
		select {
		case <-g.badRecovery:
			return ErrNotFound
		case <-g.goodRecovery:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}

	// first time
	if g.fly(i) {
		fctx, cancel := context.WithTimeout(ctx, g.config.FetchTimeout)
		defer cancel()
		data, err := g.fetcher.Get(fctx, g.addrs[i])
		if err != nil {
			close(g.waits[i])
			g.failedCnt.Add(1)
			return waitRecovery(err)
		}
		g.setData(i, data)
		close(g.waits[i])   // 1) unblocks the waiting fetches
		g.fetchedCnt.Add(1) // 2) counts the success
		return nil
	}

	select {
	case <-g.waits[i]:
	case <-ctx.Done():
		return ctx.Err()
	}
	if g.getData(i) != nil {
		return nil
	}
	return waitRecovery(ErrNotFound)
}

func (g *decoder) prefetch(ctx context.Context) error {
	defer g.remove()
	var err error
	for s := g.config.Strategy; s < strategyCnt; s++ {
		if err = g.runStrategy(ctx, s); err == nil {
			err = g.recover(ctx)
		}
		if err == nil {
			close(g.goodRecovery)
			break
		}
		if g.config.Strict {
			break
		}
	}
	if err != nil {
		close(g.badRecovery)
	}
	return err
}

func (g *decoder) runStrategy(ctx context.Context, s Strategy) error {
	var allowedErrs int
	var m []int
	switch s {
	case NONE, PROX:
		return errStrategyNotAllowed
	case DATA:
		m = g.unattemptedDataShards()
		allowedErrs = 0
	case RACE:
		allowedErrs = g.parityCnt
		m = g.unattemptedDataShards()
		for i := g.shardCnt; i < len(g.addrs); i++ {
			m = append(m, i)
		}
	}

	c := make(chan error, len(m))
	for _, i := range m {
		g.wg.Add(1)
		go func(i int) {
			defer g.wg.Done()
			c <- g.fetch(ctx, i, false)
		}(i)
	}

	for range len(m) {
		<-c
		if g.fetchedCnt.Load() >= int32(g.shardCnt) {
			return nil
		}
		if g.failedCnt.Load() > int32(allowedErrs) {
			return errStrategyFailed
		}
	}
	if g.fetchedCnt.Load() >= int32(g.shardCnt) {
		return nil
	}
	return errStrategyFailed
}

// recover reconstructs the missing data shards and stores them.
func (g *decoder) recover(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	var missing []int
	for i := 0; i < g.shardCnt; i++ {
		if g.rsbuf[i] == nil {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if err := g.reconstruct(g.rsbuf, g.shardCnt); err != nil {
		return err
	}
	for _, i := range missing {
		if err := g.putter.Put(ctx, g.addrs[i], g.rsbuf[i]); err != nil {
			return err
		}
	}
	return nil
}

func (g *decoder) unattemptedDataShards() (m []int) {
	for i := 0; i < g.shardCnt; i++ {
		select {
		case <-g.waits[i]: // attempted
		default:
			m = append(m, i)
		}
	}
	return m
}

func (g *decoder) setData(i int, data []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rsbuf[i] = data
}

func (g *decoder) getData(i int) []byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.rsbuf[i]
}

// fly marks chunk i in flight; only the first caller gets true.
func (g *decoder) fly(i int) bool {
	return g.inflight[i].CompareAndSwap(false, true)
}

// Close stops the prefetch and waits for every goroutine.
func (g *decoder) Close() error {
	g.cancel()
	g.wg.Wait()
	g.remove()
	return nil
}
