// Package bug is a held-out kernel (issue 14): a sync daemon's model with
// a folder lock (fmut) and a protocol/connection lock (pmut) that must be
// taken folder lock first. ConnectionStats, which the GUI polls, took
// pmut and then fmut; removing a folder, on a config change, takes fmut
// and then pmut. With both under way, each holds one lock and waits for
// the other, and everything behind the two locks stops.
//
// Upstream: syncthing/syncthing#3597 ("lib/model: Correct lock taking order in ConnectionStats (fixes #3596)", issue syncthing/syncthing#3596)
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: the PR: "ConnectionStats took the locks in the wrong order, and
// gets called due to the config refresh in the same time window as
// folders are being restarted. High probability of deadlock."
// Model.ConnectionStats did m.pmut.RLock(); m.fmut.RLock() (released in
// the other order); Model.RemoveFolder does m.fmut.Lock(); m.pmut.Lock()
// to stop the folder's runners, close the connections of the devices
// that share it and drop it from the folder maps. The database, the
// runners' supervisor, hello messages and the JSON form of the stats are
// reduced; Model.Close, which also touches both locks, is left out.
//
// Fix: ConnectionStats takes fmut before pmut, as the rest of the model
// does.
package bug

import (
	"sync"
	"time"
)

// DeviceID names a device.
type DeviceID string

// Statistics are a connection's byte counters.
type Statistics struct {
	At            time.Time
	InBytesTotal  int64
	OutBytesTotal int64
}

// Connection is a connection to a device.
type Connection interface {
	Statistics() Statistics
	RemoteAddr() string
	Close()
}

// FolderRunner scans and pulls one folder.
type FolderRunner interface {
	Stop()
}

// Config is the device list of the configuration.
type Config interface {
	Devices() []DeviceID
}

// ConnectionInfo is what the GUI shows for a device.
type ConnectionInfo struct {
	Statistics
	Connected     bool
	Paused        bool
	Address       string
	ClientVersion string
	Folders       int
}

// Model holds the folders and the device connections.
type Model struct {
	cfg Config

	fmut          sync.RWMutex // protects the folder maps; take before pmut
	folderDevices map[string][]DeviceID
	deviceFolders map[DeviceID][]string
	folderRunners map[string]FolderRunner

	pmut          sync.RWMutex // protects the connection maps
	conn          map[DeviceID]Connection
	clientVersion map[DeviceID]string
	devicePaused  map[DeviceID]bool
}

// NewModel returns an empty model.
func NewModel(cfg Config) *Model {
	return &Model{
		cfg:           cfg,
		folderDevices: map[string][]DeviceID{},
		deviceFolders: map[DeviceID][]string{},
		folderRunners: map[string]FolderRunner{},
		conn:          map[DeviceID]Connection{},
		clientVersion: map[DeviceID]string{},
		devicePaused:  map[DeviceID]bool{},
	}
}

// RemoveFolder stops a folder and forgets it.
func (m *Model) RemoveFolder(folder string) {
	m.fmut.Lock() // heldout:site
	m.pmut.Lock() // heldout:site

	if r, ok := m.folderRunners[folder]; ok {
		r.Stop()
	}
	// Close the connections to the devices that shared the folder, so
	// that they get a new cluster config.
	for _, dev := range m.folderDevices[folder] {
		if conn, ok := m.conn[dev]; ok {
			conn.Close()
		}
	}
	delete(m.folderDevices, folder)
	delete(m.folderRunners, folder)
	for dev, folders := range m.deviceFolders {
		m.deviceFolders[dev] = without(folders, folder)
	}

	m.pmut.Unlock()
	m.fmut.Unlock()
}

func without(ss []string, s string) []string {
	var out []string
	for _, x := range ss {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// ConnectionStats returns the connection statistics of each device.
func (m *Model) ConnectionStats() map[string]interface{} {
	m.pmut.RLock() // heldout:site
	m.fmut.RLock() // heldout:site

	res := make(map[string]interface{})
	devs := m.cfg.Devices()
	conns := make(map[string]ConnectionInfo, len(devs))
	for _, device := range devs {
		ci := ConnectionInfo{
			ClientVersion: m.clientVersion[device],
			Paused:        m.devicePaused[device],
			Folders:       len(m.deviceFolders[device]),
		}
		if conn, ok := m.conn[device]; ok {
			ci.Connected = true
			ci.Statistics = conn.Statistics()
			ci.Address = conn.RemoteAddr()
		}
		conns[string(device)] = ci
	}
	res["connections"] = conns

	m.fmut.RUnlock()
	m.pmut.RUnlock()

	res["total"] = ConnectionInfo{Statistics: Statistics{At: time.Now()}}
	return res
}

// AddConnection records a new connection to device.
func (m *Model) AddConnection(device DeviceID, conn Connection, version string) {
	m.pmut.Lock()
	m.conn[device] = conn
	m.clientVersion[device] = version
	m.pmut.Unlock()
}

// FolderDevices returns the devices sharing folder.
func (m *Model) FolderDevices(folder string) []DeviceID {
	m.fmut.RLock()
	defer m.fmut.RUnlock()
	return append([]DeviceID(nil), m.folderDevices[folder]...)
}
