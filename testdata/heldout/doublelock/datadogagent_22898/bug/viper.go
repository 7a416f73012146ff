// Package bug is a held-out kernel (issue 14): an agent's configuration
// store whose Set calls the registered update callbacks while holding
// the store's lock; a callback that reads the configuration with Get
// takes the same lock's read side, and the goroutine deadlocks on
// itself.
//
// Upstream: DataDog/datadog-agent#22898 ("[ASCII-1224] Prevent deadlock in config.OnUpdate")
// Round: 7
// Seen: 2026-11-27, development set (helpers read this round-7 kernel to tune the analyzers, after round 7 was measured; round 8 stays held out)
//
// Bug: safeConfig.Set did c.Lock(); defer c.Unlock(); set the value in
// the source's layer, merged the layers, and then called each
// notification receiver registered with OnUpdate. The PR: "Since
// config.Set claims a mutex, and notificationReceivers currently is
// invoked within that mutex, any callback using config.Get would
// deadlock." Viper's layers are reduced to maps; the receiver that reads
// the config back is our example of a user of OnUpdate.
//
// Fix: Set modifies the config and clones the receivers under the lock,
// releases it, and then calls them.
package bug

import (
	"sync"
)

// Source names a configuration layer.
type Source string

// The layers, lowest priority first.
const (
	SourceDefault Source = "default"
	SourceFile    Source = "file"
	SourceCLI     Source = "cli"
)

var sources = []Source{SourceDefault, SourceFile, SourceCLI}

// NotificationReceiver is called after a key changes.
type NotificationReceiver func(key string, oldValue, newValue interface{})

// safeConfig is the agent's configuration.
type safeConfig struct {
	sync.RWMutex
	configSources         map[Source]map[string]interface{}
	merged                map[string]interface{}
	notificationReceivers []NotificationReceiver
}

// NewConfig returns an empty configuration.
func NewConfig() *safeConfig {
	c := &safeConfig{configSources: map[Source]map[string]interface{}{}, merged: map[string]interface{}{}}
	for _, s := range sources {
		c.configSources[s] = map[string]interface{}{}
	}
	return c
}

// OnUpdate registers a callback for every change.
func (c *safeConfig) OnUpdate(callback NotificationReceiver) {
	c.Lock()
	defer c.Unlock()
	c.notificationReceivers = append(c.notificationReceivers, callback)
}

func (c *safeConfig) mergeViperInstances(key string) {
	for _, s := range sources {
		if v, ok := c.configSources[s][key]; ok {
			c.merged[key] = v
		}
	}
}

// Set sets key in the given layer and notifies the receivers.
func (c *safeConfig) Set(key string, newValue interface{}, source Source) {
	c.Lock()
	defer c.Unlock()
	oldValue := c.merged[key]
	c.configSources[source][key] = newValue
	c.mergeViperInstances(key)
	for _, receiver := range c.notificationReceivers {
		receiver(key, oldValue, c.merged[key]) // heldout:site
	}
}

// Get returns the merged value of key.
func (c *safeConfig) Get(key string) interface{} {
	c.RLock() // heldout:site
	defer c.RUnlock()
	return c.merged[key]
}

// GetString returns key as a string.
func (c *safeConfig) GetString(key string) string {
	s, _ := c.Get(key).(string)
	return s
}

// watchLogLevel reapplies the log level whenever the config changes.
func watchLogLevel(cfg *safeConfig, apply func(level string)) {
	cfg.OnUpdate(func(key string, _, _ interface{}) {
		if key == "log_level" {
			apply(cfg.GetString("log_level"))
		}
	})
}
