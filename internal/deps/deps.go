package main
import (
 _ "golang.org/x/tools/go/analysis"
 _ "github.com/dave/dst"
 _ "github.com/urfave/cli/v2"
 _ "go.uber.org/goleak"
 _ "golang.org/x/sync/errgroup"
)
func main(){}
