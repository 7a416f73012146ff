// Package fixed is the fixed version of chansend/istio_15897: done has a
// buffer of one, so the sending goroutine can report its result after send
// has given up and returned.
package fixed

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
	done := make(chan error, 1)
	// hardcoded for now - not sure if we need a setting
	t := time.NewTimer(SendTimeout)
	go func() {
		err := conn.stream.Send(res)
		done <- err
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
		return errors.New("timeout sending")
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
