// Package fixed is the fixed version of doublelock/datadogagent_22898:
// Set calls the receivers after releasing the lock.
package fixed

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
	// modify the config then release the lock to avoid deadlocks
	var receivers []NotificationReceiver
	var oldValue, merged interface{}
	func() {
		c.Lock()
		defer c.Unlock()
		oldValue = c.merged[key]
		c.configSources[source][key] = newValue
		c.mergeViperInstances(key)
		merged = c.merged[key]
		receivers = append([]NotificationReceiver(nil), c.notificationReceivers...)
	}()
	for _, receiver := range receivers {
		receiver(key, oldValue, merged)
	}
}

// Get returns the merged value of key.
func (c *safeConfig) Get(key string) interface{} {
	c.RLock()
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
