// Package bug is a held-out kernel (issue 14): a Kafka partition
// consumer's response feeder re-arms one processing timer per message,
// draining the timer channel first when Stop reports it already fired;
// but when the timer fired inside the feeder's own select, its value has
// already been taken, so on the next response the drain waits for ever
// and the partition stops being consumed.
//
// Upstream: IBM/sarama#734 ("Deadlock: Don't read from the timer channel if it already expired")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: responseFeeder, before offering each message, does
// `if !expiryTimer.Stop() { <-expiryTimer.C }` and Reset. If the user is
// slower than MaxProcessingTime, the select takes <-expiryTimer.C, hands
// the rest of the batch over, re-queues the partition on the broker and
// continues with the next response; there Stop returns false (the timer
// expired) and the drain receives from a channel whose only value was
// consumed. The PR: "if the timer does indeed timeout, we read the value
// off the channel, restart the loop, and end up trying to read the value
// off the channel again, which causes a deadlock." Parsing and the broker
// consumer are reduced to what the feeder touches; the flag in the fix is
// our recollection of the PR's change.
//
// Fix: a flag records that the select already received the timer's
// value, and the drain is skipped in that case. Under Go 1.23 timer
// semantics (this module's go line) a receive after a failed Stop blocks
// whether or not a value was taken, so our fixed version also makes the
// remaining drain non-blocking.
package bug

import (
	"errors"
	"sync"
	"time"
)

var errTimedOut = errors.New("timed out feeding messages to the user")

// ConsumerMessage is one record handed to the user.
type ConsumerMessage struct {
	Topic     string
	Partition int32
	Offset    int64
	Value     []byte
}

// FetchResponse is one fetch result for the partition.
type FetchResponse struct {
	Records [][]byte
	Err     error
}

// Config is the consumer configuration.
type Config struct {
	MaxProcessingTime time.Duration
}

type brokerConsumer struct {
	input chan *partitionConsumer
	acks  sync.WaitGroup
}

func newBrokerConsumer() *brokerConsumer {
	bc := &brokerConsumer{input: make(chan *partitionConsumer)}
	go bc.subscriptionManager()
	return bc
}

func (bc *brokerConsumer) subscriptionManager() {
	for child := range bc.input {
		_ = child // re-subscribed for the next fetch
	}
}

// handleResponse hands one fetch response to each subscribed partition and
// waits until every one has acknowledged it. (Added by the lead after
// measurement: the reduction had left out the feeder's sender.)
func (bc *brokerConsumer) handleResponse(children []*partitionConsumer, response *FetchResponse) {
	bc.acks.Add(len(children))
	for _, child := range children {
		child.feeder <- response
	}
	bc.acks.Wait()
}

// Close stops the subscription manager.
func (bc *brokerConsumer) Close() { close(bc.input) }

type partitionConsumer struct {
	conf      *Config
	broker    *brokerConsumer
	topic     string
	partition int32
	offset    int64

	feeder         chan *FetchResponse
	messages       chan *ConsumerMessage
	errors         chan error
	responseResult error
}

func newPartitionConsumer(conf *Config, broker *brokerConsumer, topic string, partition int32) *partitionConsumer {
	child := &partitionConsumer{
		conf:      conf,
		broker:    broker,
		topic:     topic,
		partition: partition,
		feeder:    make(chan *FetchResponse, 1),
		messages:  make(chan *ConsumerMessage),
		errors:    make(chan error),
	}
	go child.responseFeeder()
	return child
}

// Messages returns the channel the user consumes.
func (child *partitionConsumer) Messages() <-chan *ConsumerMessage { return child.messages }

// AsyncClose ends the feeder, which closes Messages and Errors once it has
// handed over what it holds.
func (child *partitionConsumer) AsyncClose() { close(child.feeder) }

func (child *partitionConsumer) parseResponse(response *FetchResponse) ([]*ConsumerMessage, error) {
	if response.Err != nil {
		return nil, response.Err
	}
	msgs := make([]*ConsumerMessage, 0, len(response.Records))
	for _, rec := range response.Records {
		msgs = append(msgs, &ConsumerMessage{Topic: child.topic, Partition: child.partition, Offset: child.offset, Value: rec})
		child.offset++
	}
	return msgs, nil
}

func (child *partitionConsumer) responseFeeder() {
	var msgs []*ConsumerMessage
	expiryTimer := time.NewTimer(child.conf.MaxProcessingTime)

feederLoop:
	for response := range child.feeder {
		msgs, child.responseResult = child.parseResponse(response)

		for i, msg := range msgs {
			if !expiryTimer.Stop() {
				// expiryTimer was expired; clear out the waiting msg
				<-expiryTimer.C // heldout:site
			}
			expiryTimer.Reset(child.conf.MaxProcessingTime)

			select {
			case child.messages <- msg:
			case <-expiryTimer.C: // heldout:site
				child.responseResult = errTimedOut
				child.broker.acks.Done()
				for _, msg = range msgs[i:] {
					child.messages <- msg
				}
				child.broker.input <- child
				continue feederLoop
			}
		}

		child.broker.acks.Done()
	}

	close(child.messages)
	close(child.errors)
}
