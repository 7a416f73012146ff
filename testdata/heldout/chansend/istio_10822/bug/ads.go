// Package bug is a held-out kernel (issue 14): Pilot's ADS handler reads
// an Envoy's requests through a receive goroutine that hands each one over
// on a channel with one slot; when the handler returns on a push error,
// the receive goroutine, already holding the next request, blocks for ever
// on its send, and leaks the connection with it.
//
// Upstream: istio/istio#10822 ("Pilot goroutine leak and memory leak")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: StreamAggregatedResources (pilot/pkg/proxy/envoy/v2/ads.go) makes
// `reqChannel := make(chan *xdsapi.DiscoveryRequest, 1)`, starts
// receiveThread(con, reqChannel, &receiveError), and loops selecting on
// reqChannel and con.pushChannel. receiveThread loops `req, err :=
// con.stream.Recv()` and `reqChannel <- req`. When a push fails ("CDS:
// Send failure", "LDS: Send failure, closing grpc") the handler returns;
// gRPC then cancels the stream, but receiveThread only notices that in
// Recv: if it has already read a request and the slot is taken, it blocks
// in the send for ever. The goroutine profile shows 7252 of them
// at `reqChannel <- req`. The gRPC stream, the push generation and the
// pusher are our reduction; serveStream stands for gRPC calling the
// handler and cancelling the stream's context once it returns.
//
// Fix (istio/istio#10998, after #10892): the send becomes a select on
// reqChannel and con.stream.Context().Done(), returning when the stream
// is closed.
package bug

import (
	"context"
	"errors"
	"io"
	"log"
	"sync"
	"time"
)

const (
	ClusterType  = "type.googleapis.com/envoy.api.v2.Cluster"
	ListenerType = "type.googleapis.com/envoy.api.v2.Listener"

	PushTimeout = 5 * time.Second
)

// DiscoveryRequest is an Envoy xDS request.
type DiscoveryRequest struct {
	NodeID        string
	TypeUrl       string
	ResponseNonce string
}

// DiscoveryResponse is an xDS response.
type DiscoveryResponse struct {
	TypeUrl string
	Nonce   string
}

// DiscoveryStream is the server side of the ADS gRPC stream.
type DiscoveryStream interface {
	Send(*DiscoveryResponse) error
	Recv() (*DiscoveryRequest, error)
	Context() context.Context
}

// XdsEvent is a config change to push.
type XdsEvent struct {
	version string
	// function to call once a push is finished.
	done func()
}

// XdsConnection is one Envoy's ADS stream.
type XdsConnection struct {
	mu          sync.RWMutex
	PeerAddr    string
	ConID       string
	stream      DiscoveryStream
	pushChannel chan *XdsEvent
	CDSWatch    bool
	LDSWatch    bool
	added       bool
}

func newXdsConnection(peerAddr string, stream DiscoveryStream) *XdsConnection {
	return &XdsConnection{
		PeerAddr:    peerAddr,
		stream:      stream,
		pushChannel: make(chan *XdsEvent),
	}
}

// DiscoveryServer is Pilot's ADS server.
type DiscoveryServer struct {
	mu         sync.RWMutex
	adsClients map[string]*XdsConnection
}

// NewDiscoveryServer returns a server with no connections.
func NewDiscoveryServer() *DiscoveryServer {
	return &DiscoveryServer{adsClients: map[string]*XdsConnection{}}
}

func receiveThread(con *XdsConnection, reqChannel chan *DiscoveryRequest, errP *error) {
	defer close(reqChannel) // indicates close of the remote side.
	for {
		req, err := con.stream.Recv()
		if err != nil {
			if errors.Is(err, context.Canceled) || err == io.EOF {
				log.Printf("ADS: %q %s terminated %v", con.PeerAddr, con.ConID, err)
				return
			}
			*errP = err
			log.Printf("ADS: %q %s terminated with error: %v", con.PeerAddr, con.ConID, err)
			return
		}
		reqChannel <- req // heldout:site
	}
}

// StreamAggregatedResources implements the ADS interface.
func (s *DiscoveryServer) StreamAggregatedResources(peerAddr string, stream DiscoveryStream) error {
	con := newXdsConnection(peerAddr, stream)

	var receiveError error
	reqChannel := make(chan *DiscoveryRequest, 1)
	go receiveThread(con, reqChannel, &receiveError)

	for {
		select {
		case discReq, ok := <-reqChannel:
			if !ok {
				// Remote side closed connection.
				return receiveError
			}
			if con.ConID == "" {
				con.mu.Lock()
				con.ConID = discReq.NodeID
				con.mu.Unlock()
			}
			switch discReq.TypeUrl {
			case ClusterType:
				if con.CDSWatch {
					continue // an ACK
				}
				con.CDSWatch = true
				if err := s.pushCds(con, "init"); err != nil {
					return err // heldout:site
				}
			case ListenerType:
				if con.LDSWatch {
					continue // an ACK
				}
				con.LDSWatch = true
				if err := s.pushLds(con, "init"); err != nil {
					return err // heldout:site
				}
			default:
				log.Printf("ADS: Unknown watched resources %s", discReq.TypeUrl)
			}

			con.mu.Lock()
			if !con.added {
				con.added = true
				con.mu.Unlock()
				s.addCon(con.ConID, con)
				defer s.removeCon(con.ConID)
			} else {
				con.mu.Unlock()
			}
		case pushEv := <-con.pushChannel:
			err := s.pushConnection(con, pushEv)
			pushEv.done()
			if err != nil {
				return nil // heldout:site
			}
		}
	}
}

func (s *DiscoveryServer) pushCds(con *XdsConnection, version string) error {
	if err := con.stream.Send(&DiscoveryResponse{TypeUrl: ClusterType, Nonce: version}); err != nil {
		log.Printf("CDS: Send failure %s: %v", con.ConID, err)
		return err
	}
	return nil
}

func (s *DiscoveryServer) pushLds(con *XdsConnection, version string) error {
	if err := con.stream.Send(&DiscoveryResponse{TypeUrl: ListenerType, Nonce: version}); err != nil {
		log.Printf("LDS: Send failure, closing grpc %s: %v", con.ConID, err)
		return err
	}
	return nil
}

func (s *DiscoveryServer) pushConnection(con *XdsConnection, pushEv *XdsEvent) error {
	if con.CDSWatch {
		if err := s.pushCds(con, pushEv.version); err != nil {
			return err
		}
	}
	if con.LDSWatch {
		if err := s.pushLds(con, pushEv.version); err != nil {
			return err
		}
	}
	return nil
}

func (s *DiscoveryServer) addCon(conID string, con *XdsConnection) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.adsClients[conID] = con
}

func (s *DiscoveryServer) removeCon(conID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.adsClients, conID)
}

// AdsPushAll pushes a config change to every connected Envoy.
func (s *DiscoveryServer) AdsPushAll(version string) {
	s.mu.RLock()
	pending := make([]*XdsConnection, 0, len(s.adsClients))
	for _, con := range s.adsClients {
		pending = append(pending, con)
	}
	s.mu.RUnlock()

	var wg sync.WaitGroup
	for _, client := range pending {
		wg.Add(1)
		go func(client *XdsConnection) {
			defer wg.Done()
			select {
			case client.pushChannel <- &XdsEvent{version: version, done: func() {}}:
			case <-client.stream.Context().Done(): // grpc stream was closed
				log.Printf("Client closed connection %v", client.ConID)
			case <-time.After(PushTimeout):
				log.Printf("Timeout pushing to %v", client.ConID)
			}
		}(client)
	}
	wg.Wait()
}

// serveStream stands for gRPC running a stream handler: the stream's
// context is cancelled once the handler returns.
func serveStream(s *DiscoveryServer, peerAddr string, newStream func(ctx context.Context) DiscoveryStream) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	return s.StreamAggregatedResources(peerAddr, newStream(ctx))
}
