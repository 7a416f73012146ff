package main

// costrun is set at link time (-ldflags "-X main.costrun=...") to give a
// build of the tool a new identity, so go vet's cache does not answer for it
// when its cost is measured. It is otherwise unused.
var costrun string
