// Package bug is a held-out kernel (issue 14): the master broadcasts
// cluster updates into every client's message channel (capacity 100) with
// a plain send under clientChansLock, so once a client's KeepConnected has
// stopped reading (it is disconnecting) and its channel is full, the
// broadcast blocks for ever holding the read lock and the whole master
// hangs.
//
// Upstream: seaweedfs/seaweedfs#6184 ("fix deadlock hang when broadcast to clients")
// Round: 19
//
// Bug: KeepConnected (weed/server/master_grpc_server.go) registers the
// client's messageChan (make(..., 100)) with addClient and forwards from it
// to the stream until the stream ends or the master loses leadership; its
// deferred cleanup broadcasts the client's removal to all clients and only
// then deletes its channel. broadcastToClients does `ch <- message` for
// every channel while holding clientChansLock.RLock. The PR: "when master
// transfer leader, the old master will disconnect with all filers and
// volumeServers, if the cluster is a big one, the broadcast messages may
// be much more than the max len of the channel 100, and if the
// KeepConnect just not listen on the channel in disconnect, the
// broadcastToClients will hang. and the whole cluster will not serve!"
// The blocked sender holds the read lock, so addClient and deleteClient
// (which take the write lock) block behind it too. Reduced from
// master_grpc_server.go; the cluster membership, the protobuf messages,
// metrics and logging are left out or small structs, and the gRPC stream
// is an interface.
//
// Fix: broadcastToClients sends with a select and a default case (counting
// and logging the dropped message), so a full channel no longer blocks it.
package bug

import (
	"sync"
	"time"
)

// KeepConnectedRequest is the first message of a client.
type KeepConnectedRequest struct {
	ClientType    string
	ClientAddress string
	FilerGroup    string
}

// KeepConnectedResponse is a cluster update for a client.
type KeepConnectedResponse struct {
	NodeType    string
	Address     string
	IsAdd       bool
	NewLeader   string
	VolumeLocID string
}

// KeepConnectedServer is the server side of the KeepConnected stream.
type KeepConnectedServer interface {
	Recv() (*KeepConnectedRequest, error)
	Send(*KeepConnectedResponse) error
}

// MasterServer is the seaweedfs master.
type MasterServer struct {
	clientChansLock sync.RWMutex
	clientChans     map[string]chan *KeepConnectedResponse
	isLeader        func() bool
	leader          func() string
	tick            time.Duration
}

// NewMasterServer makes a master.
func NewMasterServer(isLeader func() bool, leader func() string) *MasterServer {
	return &MasterServer{
		clientChans: make(map[string]chan *KeepConnectedResponse),
		isLeader:    isLeader,
		leader:      leader,
		tick:        5 * time.Second,
	}
}

// KeepConnected keeps a filer, volume server or shell informed of the
// cluster until its stream ends.
func (ms *MasterServer) KeepConnected(stream KeepConnectedServer) error {
	req, recvErr := stream.Recv()
	if recvErr != nil {
		return recvErr
	}

	clientName, messageChan := ms.addClient(req.FilerGroup, req.ClientType, req.ClientAddress)
	ms.broadcastToClients(&KeepConnectedResponse{NodeType: req.ClientType, Address: req.ClientAddress, IsAdd: true})

	defer func() {
		ms.broadcastToClients(&KeepConnectedResponse{NodeType: req.ClientType, Address: req.ClientAddress, IsAdd: false})
		ms.deleteClient(clientName)
	}()

	stopChan := make(chan bool, 1)
	go func() {
		for {
			if _, err := stream.Recv(); err != nil {
				stopChan <- true
				return
			}
		}
	}()

	ticker := time.NewTicker(ms.tick)
	defer ticker.Stop()
	for {
		select {
		case message := <-messageChan:
			if err := stream.Send(message); err != nil {
				return err
			}
		case <-ticker.C:
			if !ms.isLeader() {
				return stream.Send(&KeepConnectedResponse{NewLeader: ms.leader()})
			}
		case <-stopChan:
			return nil
		}
	}
}

// OnVolumeLocationChange tells every client that a volume moved.
func (ms *MasterServer) OnVolumeLocationChange(volumeID string) {
	ms.broadcastToClients(&KeepConnectedResponse{VolumeLocID: volumeID})
}

func (ms *MasterServer) broadcastToClients(message *KeepConnectedResponse) {
	ms.clientChansLock.RLock()
	for _, ch := range ms.clientChans {
		ch <- message // heldout:site
	}
	ms.clientChansLock.RUnlock()
}

func (ms *MasterServer) addClient(filerGroup, clientType, clientAddress string) (clientName string, messageChan chan *KeepConnectedResponse) {
	clientName = filerGroup + "." + clientType + "@" + clientAddress
	messageChan = make(chan *KeepConnectedResponse, 100)

	ms.clientChansLock.Lock()
	ms.clientChans[clientName] = messageChan
	ms.clientChansLock.Unlock()
	return
}

func (ms *MasterServer) deleteClient(clientName string) {
	ms.clientChansLock.Lock()
	delete(ms.clientChans, clientName)
	ms.clientChansLock.Unlock()
}
