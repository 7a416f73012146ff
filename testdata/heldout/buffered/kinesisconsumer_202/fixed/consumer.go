// Package fixed is the fixed version of buffered/kinesisconsumer_202: the
// discovery goroutine and the shard readers both offer their error to the
// one-slot channel without blocking, then cancel, so the discovery
// goroutine always closes the shard channel.
package fixed

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Shard is one shard of the stream.
type Shard struct {
	ShardID string
}

// Record is one record read from a shard.
type Record struct {
	ShardID        string
	SequenceNumber string
	Data           []byte
}

// ScanFunc is called for each record; an error stops the scan.
type ScanFunc func(*Record) error

// ErrSkipCheckpoint makes ScanShard move on without checkpointing.
var ErrSkipCheckpoint = errors.New("skip checkpoint")

// KinesisAPI is the part of the AWS client the consumer uses.
type KinesisAPI interface {
	ListShards(ctx context.Context, stream, nextToken string) ([]Shard, string, error)
	GetShardIterator(ctx context.Context, stream, shardID, afterSeq string) (string, error)
	GetRecords(ctx context.Context, iterator string) ([]Record, string, error)
}

// Group decides which shards this consumer reads and keeps checkpoints.
type Group interface {
	Start(ctx context.Context, shardC chan<- Shard) error
	GetCheckpoint(stream, shardID string) (string, error)
	SetCheckpoint(stream, shardID, seq string) error
}

// CloseableGroup is told when a shard has been read to its end.
type CloseableGroup interface {
	Group
	CloseShard(ctx context.Context, shardID string) error
}

// AllGroup reads every shard of the stream and re-lists them periodically.
type AllGroup struct {
	client       KinesisAPI
	stream       string
	shardMu      sync.Mutex
	shards       map[string]Shard
	checkpoints  map[string]string
	pollInterval time.Duration
}

// NewAllGroup returns a group that reads all shards.
func NewAllGroup(client KinesisAPI, stream string) *AllGroup {
	return &AllGroup{
		client:       client,
		stream:       stream,
		shards:       make(map[string]Shard),
		checkpoints:  make(map[string]string),
		pollInterval: 30 * time.Second,
	}
}

// Start lists the shards once, then keeps looking for new ones.
func (g *AllGroup) Start(ctx context.Context, shardC chan<- Shard) error {
	if err := g.findNewShards(ctx, shardC); err != nil {
		return err
	}
	go func() {
		ticker := time.NewTicker(g.pollInterval)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
				_ = g.findNewShards(ctx, shardC)
			}
		}
	}()
	return nil
}

// findNewShards pages through the stream's shards and hands on the new ones.
func (g *AllGroup) findNewShards(ctx context.Context, shardC chan<- Shard) error {
	token := ""
	for {
		page, next, err := g.client.ListShards(ctx, g.stream, token)
		if err != nil {
			return fmt.Errorf("list shards: %w", err)
		}
		for _, s := range page {
			g.shardMu.Lock()
			_, seen := g.shards[s.ShardID]
			g.shards[s.ShardID] = s
			g.shardMu.Unlock()
			if seen {
				continue
			}
			select {
			case shardC <- s:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if next == "" {
			return nil
		}
		token = next
	}
}

// GetCheckpoint returns the last sequence number stored for a shard.
func (g *AllGroup) GetCheckpoint(stream, shardID string) (string, error) {
	g.shardMu.Lock()
	defer g.shardMu.Unlock()
	return g.checkpoints[shardID], nil
}

// SetCheckpoint stores a shard's sequence number.
func (g *AllGroup) SetCheckpoint(stream, shardID, seq string) error {
	g.shardMu.Lock()
	defer g.shardMu.Unlock()
	g.checkpoints[shardID] = seq
	return nil
}

// Consumer reads a stream through a group.
type Consumer struct {
	streamName string
	client     KinesisAPI
	group      Group
}

// New returns a consumer over all shards of the stream.
func New(stream string, client KinesisAPI) *Consumer {
	return &Consumer{streamName: stream, client: client, group: NewAllGroup(client, stream)}
}

// Scan reads every shard the group hands out until an error or ctx ends.
func (c *Consumer) Scan(ctx context.Context, fn ScanFunc) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		errC   = make(chan error, 1)
		shardC = make(chan Shard, 1)
	)

	// Keep the first error without letting a later producer block.
	reportError := func(err error) {
		select {
		case errC <- err:
		default:
		}
		cancel()
	}

	go func() {
		err := c.group.Start(ctx, shardC)
		if err != nil {
			reportError(fmt.Errorf("error starting scan: %w", err))
		}
		<-ctx.Done()
		close(shardC)
	}()

	wg := new(sync.WaitGroup)
	for shard := range shardC {
		wg.Add(1)
		go func(shardID string) {
			defer wg.Done()
			var err error
			if err = c.ScanShard(ctx, shardID, fn); err != nil {
				err = fmt.Errorf("shard %s error: %w", shardID, err)
			} else if closeable, ok := c.group.(CloseableGroup); !ok {
				// the group does not want to hear about closed shards
			} else if err = closeable.CloseShard(ctx, shardID); err != nil {
				err = fmt.Errorf("shard closed CloseableGroup error: %w", err)
			}
			if err != nil {
				reportError(err)
			}
		}(shard.ShardID)
	}

	go func() {
		wg.Wait()
		close(errC)
	}()

	return <-errC
}

// ScanShard reads one shard from its checkpoint and calls fn per record.
func (c *Consumer) ScanShard(ctx context.Context, shardID string, fn ScanFunc) error {
	lastSeq, err := c.group.GetCheckpoint(c.streamName, shardID)
	if err != nil {
		return fmt.Errorf("get checkpoint error: %w", err)
	}
	iter, err := c.client.GetShardIterator(ctx, c.streamName, shardID, lastSeq)
	if err != nil {
		return fmt.Errorf("get shard iterator error: %w", err)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		default:
		}
		records, next, err := c.client.GetRecords(ctx, iter)
		if err != nil {
			return fmt.Errorf("get records error: %w", err)
		}
		for i := range records {
			r := &records[i]
			r.ShardID = shardID
			err := fn(r)
			if err != nil && !errors.Is(err, ErrSkipCheckpoint) {
				return err
			}
			if errors.Is(err, ErrSkipCheckpoint) {
				continue
			}
			if err := c.group.SetCheckpoint(c.streamName, shardID, r.SequenceNumber); err != nil {
				return err
			}
			lastSeq = r.SequenceNumber
		}
		if next == "" || next == iter {
			return nil
		}
		iter = next
	}
}
