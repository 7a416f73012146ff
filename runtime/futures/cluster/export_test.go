package futures

// StopClusterServer stops p's embedded NATS server, as a crash would.
func StopClusterServer(p *ClusterPool) { p.srv.Shutdown() }

// ClusterStarted counts p's tasks whose worker has said it started them.
func ClusterStarted(p *ClusterPool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.calls {
		if c.started {
			n++
		}
	}
	return n
}

// SetClusterWorkerExe makes the local workers of the ClusterPools created
// next run exe instead of the test binary; "" restores it.
func SetClusterWorkerExe(exe string) { workerExe = exe }
