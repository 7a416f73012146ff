package futures

// StopClusterServer stops p's embedded NATS server, as a crash would.
func StopClusterServer(p *ClusterPool) { p.srv.Shutdown() }
