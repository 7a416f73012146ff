// Package fixed is the fixed version of chanrecv/gosdk_293: results is
// closed once every per-host goroutine is done, so the range over it ends
// after the buffered responses (our reading of the fix).
package fixed

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
	wg.Wait()
	close(results)

	successfulHosts := make([]*Response, 0, len(interestedHosts))
	for result := range results {
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
