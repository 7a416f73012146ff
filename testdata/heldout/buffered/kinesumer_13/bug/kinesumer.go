// Package bug is a held-out kernel (issue 14): a Kinesis consumer-group
// client reports shard errors on an errors channel with a buffer of one,
// with a plain send from every shard's consume loop; an application that
// does not drain Errors() leaves the second error's sender blocked for
// ever, and Refresh and Close then block for ever waiting for that loop.
//
// Upstream: daangn/kinesumer#13 ("fix: hanging if error channel is full (#11)")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: Kinesumer makes `errors: make(chan error, 1)` and hands it out as
// Errors(). consumeOnce, run by one consumeLoop goroutine per shard, does
// `k.errors <- errors.WithStack(err)` when getting the shard iterator or
// the records fails. Once the slot is full and nobody reads, the loop
// stops in that send and never returns to its select on k.stop / k.close;
// Refresh (pause: close(k.stop); k.wait.Wait()) and Close (close(k.close);
// k.wait.Wait()) then wait for it for ever. Issue #11 reported the hang;
// the review called it "Error sending could be just hanged if there are
// no listeners". The AWS client and the state store are reduced to
// interfaces, the EFO mode and the leader sync loop are left out.
//
// Fix: every error send becomes a select with a default case, so an error
// nobody is listening for is dropped (and Errors' doc says so); the
// helper that does it in the fixed version is our naming.
package bug

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

const (
	checkPointTimeout   = 2 * time.Second
	defaultScanTimeout  = 2 * time.Second
	defaultScanInterval = 10 * time.Millisecond
	recordsChanBuffer   = 20
)

// KinesisRecord is one record as the Kinesis API returns it.
type KinesisRecord struct {
	SequenceNumber string
	Data           []byte
}

// Record is a consumed record with its stream name.
type Record struct {
	Stream string
	*KinesisRecord
}

// Shard holds a shard id and whether the shard is CLOSED.
type Shard struct {
	ID     string
	Closed bool
}

// Shards is a collection of Shard.
type Shards []*Shard

// ErrResourceInUse stands for kinesis.ResourceInUseException.
var ErrResourceInUse = errors.New("resource in use")

// KinesisAPI is the part of the Kinesis client the consumer uses.
type KinesisAPI interface {
	ListShards(stream string) (Shards, error)
	GetShardIterator(ctx context.Context, stream, shardID, afterSeq string) (*string, error)
	GetRecords(ctx context.Context, iter *string) (recs []*KinesisRecord, next *string, err error)
}

// StateStore keeps the check points.
type StateStore interface {
	UpdateCheckPoint(ctx context.Context, stream, shardID, seq string) error
}

// Kinesumer is a consumer-group client for Kinesis.
type Kinesumer struct {
	client     KinesisAPI
	stateStore StateStore

	streams []string

	// A stream where consumed records will have flowed.
	records chan *Record
	errors  chan error

	shards      map[string]Shards
	checkPoints map[string]*sync.Map
	nextIters   map[string]*sync.Map

	scanTimeout  time.Duration
	scanInterval time.Duration

	// To wait the running consumer loops when stopping.
	wait  sync.WaitGroup
	stop  chan struct{}
	close chan struct{}
}

// NewKinesumer returns a client.
func NewKinesumer(client KinesisAPI, store StateStore) *Kinesumer {
	return &Kinesumer{
		client:       client,
		stateStore:   store,
		records:      make(chan *Record, recordsChanBuffer),
		errors:       make(chan error, 1), // heldout:site
		shards:       make(map[string]Shards),
		checkPoints:  make(map[string]*sync.Map),
		nextIters:    make(map[string]*sync.Map),
		scanTimeout:  defaultScanTimeout,
		scanInterval: defaultScanInterval,
		stop:         make(chan struct{}),
		close:        make(chan struct{}),
	}
}

// Consume starts consuming the streams' shards.
func (k *Kinesumer) Consume(streams []string) (<-chan *Record, error) {
	if err := k.syncShardInfo(streams); err != nil {
		return nil, err
	}
	k.start()
	return k.records, nil
}

func (k *Kinesumer) syncShardInfo(streams []string) error {
	k.streams = streams
	for _, stream := range streams {
		shards, err := k.client.ListShards(stream)
		if err != nil {
			return fmt.Errorf("list shards of %s: %w", stream, err)
		}
		k.shards[stream] = shards
		if k.checkPoints[stream] == nil {
			k.checkPoints[stream] = &sync.Map{}
			k.nextIters[stream] = &sync.Map{}
		}
	}
	return nil
}

func (k *Kinesumer) start() {
	k.stop = make(chan struct{})
	k.consumePolling()
}

func (k *Kinesumer) pause() {
	close(k.stop)

	k.wait.Wait() // heldout:site
}

func (k *Kinesumer) consumePolling() {
	for stream, shardsPerStream := range k.shards {
		for _, shard := range shardsPerStream {
			k.wait.Add(1)
			go k.consumeLoop(stream, shard)
		}
	}
}

func (k *Kinesumer) consumeLoop(stream string, shard *Shard) {
	defer k.wait.Done()

	for {
		select {
		case <-k.stop:
			return
		case <-k.close:
			return
		default:
			time.Sleep(k.scanInterval)
			if closed := k.consumeOnce(stream, shard); closed {
				return // Close consume loop if shard is CLOSED and has no data.
			}
		}
	}
}

// consumeOnce reports whether the shard is CLOSED and has no data left.
func (k *Kinesumer) consumeOnce(stream string, shard *Shard) bool {
	ctx, cancel := context.WithTimeout(context.Background(), k.scanTimeout)
	defer cancel()

	shardIter, err := k.getNextShardIterator(ctx, stream, shard.ID)
	if err != nil {
		k.errors <- fmt.Errorf("shard %s: %w", shard.ID, err) // heldout:site
		return errors.Is(err, ErrResourceInUse)
	}

	recs, next, err := k.client.GetRecords(ctx, shardIter)
	if err != nil {
		k.errors <- fmt.Errorf("shard %s: %w", shard.ID, err) // heldout:site
		if errors.Is(err, ErrResourceInUse) {
			return true
		}
		k.nextIters[stream].Delete(shard.ID)
		return false
	}
	defer k.nextIters[stream].Store(shard.ID, next) // Update iter.

	n := len(recs)
	if n == 0 {
		return shard.Closed
	}

	var lastSequence string
	for i, r := range recs {
		k.records <- &Record{Stream: stream, KinesisRecord: r}
		if i == n-1 {
			lastSequence = r.SequenceNumber
		}
	}

	ctx, cancel = context.WithTimeout(context.Background(), checkPointTimeout)
	defer cancel()
	if err := k.stateStore.UpdateCheckPoint(ctx, stream, shard.ID, lastSequence); err == nil {
		k.checkPoints[stream].Store(shard.ID, lastSequence)
	}
	return false
}

func (k *Kinesumer) getNextShardIterator(ctx context.Context, stream, shardID string) (*string, error) {
	if iter, ok := k.nextIters[stream].Load(shardID); ok {
		return iter.(*string), nil
	}
	var after string
	if seq, ok := k.checkPoints[stream].Load(shardID); ok {
		after = seq.(string)
	}
	iter, err := k.client.GetShardIterator(ctx, stream, shardID, after)
	if err != nil {
		return nil, err
	}
	k.nextIters[stream].Store(shardID, iter)
	return iter, nil
}

// Refresh re-reads the shards and restarts the consume loops.
func (k *Kinesumer) Refresh(streams []string) error {
	k.pause()
	if err := k.syncShardInfo(streams); err != nil {
		return err
	}
	k.start()
	return nil
}

// Errors returns error channel.
func (k *Kinesumer) Errors() <-chan error {
	return k.errors
}

// Close stops the consume loops; the client should drain the remaining
// records.
func (k *Kinesumer) Close() {
	close(k.close)

	k.wait.Wait() // heldout:site

	close(k.records)

	// Drain the remaining errors.
	close(k.errors)
	for range k.errors {
	}
}
