// Package bug is a held-out kernel (issue 14): the overlay topic
// Broadcaster sends a transaction to every interested host from one
// goroutine per host, each putting its Response into a results channel
// sized for all of them, waits for them with a WaitGroup, and then ranges
// over results. Nothing ever closes results, so once the buffered
// responses are drained the range blocks for ever and Broadcast never
// returns, although every host answered.
//
// Upstream: bsv-blockchain/go-sdk#293 ("Overlay BroadcastCtx channel never closed")
// Round: 18
//
// Bug: the issue: BroadcastCtx "hangs indefinitely after broadcasting
// because it uses `for range` on a channel that is never closed", after
// wg.Wait(). Reduced from overlay/topic/broadcaster.go: the Facilitator
// interface, the per-host goroutines and the acknowledgement checks are
// kept in small form; BEEF encoding, SHIP lookup and the network presets
// are reduced to a host list.
//
// Fix: our reading of the fix the issue asks for: close(results) after
// wg.Wait(), so the range ends when the buffered responses are read.
package bug

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Steak maps each topic to what the host admitted.
type Steak map[string][]int

// TaggedBEEF is a transaction tagged with topics.
type TaggedBEEF struct {
	Beef   []byte
	Topics []string
}

// Facilitator submits a tagged transaction to one host.
type Facilitator interface {
	Send(ctx context.Context, host string, tb *TaggedBEEF) (*Steak, error)
}

// Response is one host's answer.
type Response struct {
	Host    string
	Success bool
	Steak   *Steak
	Error   error
}

// BroadcastSuccess reports an accepted transaction.
type BroadcastSuccess struct {
	Txid, Message string
}

// BroadcastFailure reports a rejected transaction.
type BroadcastFailure struct {
	Code, Description string
}

// Broadcaster sends transactions to the hosts interested in its topics.
type Broadcaster struct {
	Topics      []string
	Facilitator Facilitator
	FindHosts   func(ctx context.Context, topics []string) ([]string, error)
}

// BroadcastCtx sends beef to every interested host and checks their acks.
func (t *Broadcaster) BroadcastCtx(ctx context.Context, txid string, beef []byte) (*BroadcastSuccess, *BroadcastFailure) {
	taggedBeef := &TaggedBEEF{Beef: beef, Topics: t.Topics}
	interestedHosts, err := t.FindHosts(ctx, t.Topics)
	if err != nil {
		return nil, &BroadcastFailure{Code: "500", Description: err.Error()}
	}
	if len(interestedHosts) == 0 {
		return nil, &BroadcastFailure{Code: "ERR_NO_HOSTS_INTERESTED"}
	}

	var wg sync.WaitGroup
	results := make(chan *Response, len(interestedHosts))
	for _, host := range interestedHosts {
		wg.Add(1)
		go func(host string) {
			defer wg.Done()
			if steak, err := t.Facilitator.Send(ctx, host, taggedBeef); err != nil {
				results <- &Response{Host: host, Error: err}
			} else {
				results <- &Response{Host: host, Success: true, Steak: steak}
			}
		}(host)
	}
	wg.Wait() // heldout:site

	successfulHosts := make([]*Response, 0, len(interestedHosts))
	for result := range results { // heldout:site
		if result != nil && result.Success {
			successfulHosts = append(successfulHosts, result)
		}
	}
	if len(successfulHosts) == 0 {
		return nil, &BroadcastFailure{Code: "ERR_ALL_HOSTS_REJECTED"}
	}

	hostAcks := make(map[string]map[string]struct{})
	for _, result := range successfulHosts {
		ackTopics := make(map[string]struct{})
		for topic, admitted := range *result.Steak {
			if len(admitted) > 0 {
				ackTopics[topic] = struct{}{}
			}
		}
		hostAcks[result.Host] = ackTopics
	}
	if !t.checkAcknowledgmentFromAllHosts(hostAcks) {
		return nil, &BroadcastFailure{Code: "ERR_REQUIRE_ACK_FROM_ALL_HOSTS_FAILED"}
	}
	return &BroadcastSuccess{
		Txid:    txid,
		Message: fmt.Sprintf("Sent to %d Overlay Service host(s)", len(successfulHosts)),
	}, nil
}

func (t *Broadcaster) checkAcknowledgmentFromAllHosts(hostAcks map[string]map[string]struct{}) bool {
	for _, acked := range hostAcks {
		for _, topic := range t.Topics {
			if _, ok := acked[topic]; !ok {
				return false
			}
		}
	}
	return true
}

// ErrNoFacilitator is returned when no facilitator is configured.
var ErrNoFacilitator = errors.New("no facilitator")
