// Package bug is a held-out kernel (issue 14): Pilot sends each xDS
// response from a helper goroutine so that it can give up on a slow Envoy
// after a timeout; the goroutine reports the result on an unbuffered
// channel, so after a timeout nobody receives and the goroutine blocks
// for ever once the stream's Send finally returns, one leak per timeout.
//
// Upstream: istio/istio#15897 ("Fix goroutine leak on send timeout")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: XdsConnection.send (pilot/pkg/proxy/envoy/v2/ads.go) makes `done
// := make(chan error)`, starts a goroutine that calls conn.stream.Send,
// does `done <- err` and records the nonce it sent under conn.mu, and
// selects on a SendTimeout timer and done; on the timer it returns
// "timeout sending", and the push that called it fails and closes the
// connection, which makes the pending Send return into a send nobody
// will receive. The PR: "every timeout resulted in a goroutine to be
// leaked" (issue #15876 correlated the goroutine count with send
// timeouts). The push functions and the handler loop are our reduction
// of ads.go; the gRPC stream is an interface.
//
// Fix: done is made with a buffer of one, "so the send can occur even
// after the timer completes".
package bug

import (
	"context"
	"errors"
	"log"
	"sync"
	"time"
)

// SendTimeout bounds how long a push waits for one response to be sent.
var SendTimeout = 5 * time.Second

const (
	ClusterType  = "type.googleapis.com/envoy.api.v2.Cluster"
	ListenerType = "type.googleapis.com/envoy.api.v2.Listener"
)

// DiscoveryResponse is an xDS response.
type DiscoveryResponse struct {
	TypeUrl     string
	VersionInfo string
	Nonce       string
}

// DiscoveryStream is the server side of the ADS stream.
type DiscoveryStream interface {
	Send(*DiscoveryResponse) error
	Context() context.Context
}

// XdsConnection is one Envoy's ADS connection.
type XdsConnection struct {
	mu                sync.RWMutex
	ConID             string
	stream            DiscoveryStream
	ClusterNonceSent  string
	ListenerNonceSent string
	CDSWatch          bool
	LDSWatch          bool
	pushChannel       chan string
}

func newXdsConnection(conID string, stream DiscoveryStream) *XdsConnection {
	return &XdsConnection{ConID: conID, stream: stream, pushChannel: make(chan string)}
}

// Push hands a config version to the connection's handler.
func (conn *XdsConnection) Push(version string) {
	select {
	case conn.pushChannel <- version:
	case <-conn.stream.Context().Done(): // grpc stream was closed
	}
}

// send sends res, giving up after SendTimeout.
func (conn *XdsConnection) send(res *DiscoveryResponse) error {
	done := make(chan error) // heldout:site
	// hardcoded for now - not sure if we need a setting
	t := time.NewTimer(SendTimeout)
	go func() {
		err := conn.stream.Send(res)
		done <- err // heldout:site
		conn.mu.Lock()
		if res.Nonce != "" {
			switch res.TypeUrl {
			case ClusterType:
				conn.ClusterNonceSent = res.Nonce
			case ListenerType:
				conn.ListenerNonceSent = res.Nonce
			}
		}
		conn.mu.Unlock()
	}()
	select {
	case <-t.C:
		log.Printf("Timeout writing %s", conn.ConID)
		return errors.New("timeout sending") // heldout:site
	case err := <-done:
		t.Stop()
		return err
	}
}

func (conn *XdsConnection) pushCds(version string) error {
	if err := conn.send(&DiscoveryResponse{TypeUrl: ClusterType, VersionInfo: version, Nonce: version}); err != nil {
		log.Printf("CDS: Send failure %s: %v", conn.ConID, err)
		return err
	}
	return nil
}

func (conn *XdsConnection) pushLds(version string) error {
	if err := conn.send(&DiscoveryResponse{TypeUrl: ListenerType, VersionInfo: version, Nonce: version}); err != nil {
		log.Printf("LDS: Send failure, closing grpc %s: %v", conn.ConID, err)
		return err
	}
	return nil
}

// pushConnection pushes a config change; an error closes the stream.
func (conn *XdsConnection) pushConnection(version string) error {
	if conn.CDSWatch {
		if err := conn.pushCds(version); err != nil {
			return err
		}
	}
	if conn.LDSWatch {
		if err := conn.pushLds(version); err != nil {
			return err
		}
	}
	return nil
}

// serve stands for the ADS handler: it pushes every version it is given
// and returns (closing the stream) on the first failed push.
func serve(conn *XdsConnection) error {
	for {
		select {
		case <-conn.stream.Context().Done():
			return nil
		case version := <-conn.pushChannel:
			if err := conn.pushConnection(version); err != nil {
				return err
			}
		}
	}
}
