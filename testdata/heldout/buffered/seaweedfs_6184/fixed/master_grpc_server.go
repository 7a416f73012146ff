// Package fixed is the fixed version of buffered/seaweedfs_6184: the
// broadcast drops a message for a client whose channel is full instead of
// blocking on it.
//
// Upstream: seaweedfs/seaweedfs#6184 ("fix deadlock hang when broadcast to clients")
// Round: 19
package fixed

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
	fullErrors      func(client string)
	isLeader        func() bool
	leader          func() string
	tick            time.Duration
}

// NewMasterServer makes a master.
func NewMasterServer(isLeader func() bool, leader func() string) *MasterServer {
	return &MasterServer{
		clientChans: make(map[string]chan *KeepConnectedResponse),
		fullErrors:  func(string) {},
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
	for client, ch := range ms.clientChans {
		select {
		case ch <- message:
		default:
			ms.fullErrors(client)
		}
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
