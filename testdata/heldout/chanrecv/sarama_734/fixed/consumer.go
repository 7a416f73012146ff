// Package fixed is the fixed version of chanrecv/sarama_734: the feeder
// remembers that its select already took the timer's value and does not
// drain the timer channel again; the drain itself is non-blocking (our
// addition, so that the fix also holds under Go 1.23 timer semantics,
// which this module's go line selects).
package fixed

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
	expireTimedOut := false

feederLoop:
	for response := range child.feeder {
		msgs, child.responseResult = child.parseResponse(response)

		for i, msg := range msgs {
			if !expiryTimer.Stop() && !expireTimedOut {
				// expiryTimer was expired; clear out the waiting msg, if
				// it is still there (Go 1.23 timers drop it on Stop)
				select {
				case <-expiryTimer.C:
				default:
				}
			}
			expiryTimer.Reset(child.conf.MaxProcessingTime)
			expireTimedOut = false

			select {
			case child.messages <- msg:
			case <-expiryTimer.C:
				expireTimedOut = true
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
