// Package bug is a held-out kernel (issue 14): the continuous query
// service ranges over the query executor's result channel and returns as
// soon as writing the results back times out, leaving the executor's
// goroutine blocked for ever sending the next result; its mappers are
// never closed and (upstream) their read transaction locks out every
// later write.
//
// Upstream: influxdata/influxdb#3522 ("Consume CQ results on request timeouts")
// Round: 12
//
// Bug: runContinuousQueryAndWriteResult calls QueryExecutor.ExecuteQuery,
// which starts executeQuery: for each statement it plans a select,
// ranges over the executor's row channel and sends each row as a Result
// on the unbuffered results channel, closing it at the end. The select
// executor's own goroutine sends rows on its out channel and closes its
// mappers when done. The CQ service ranges over the results, converts
// each row to points and writes them; when WritePoints fails (the
// timeouts of #3517) it returns, as it does on a result error or on a
// point with a nil field. Nothing receives from results any more:
// executeQuery blocks on its next send, the executor blocks on out, and
// the mappers' read-only transaction is never released, "locking all
// subsequent writes". The bolt transaction is reduced to a Mapper
// interface whose Close releases it; meta, parsing and the points
// conversion are reduced to what the loop uses.
//
// Fix (influxdata/influxdb#3522, our reading of the PR: "the result
// channel is never consumed"): before returning early the CQ service
// consumes the rest of the result channel, so the executor finishes and
// closes its mappers.
package bug

import (
	"errors"
	"log"
	"time"
)

// Row is one series of a query result.
type Row struct {
	Name    string
	Tags    map[string]string
	Columns []string
	Values  [][]interface{}
	Err     error
}

// Result is the result of one statement.
type Result struct {
	StatementID int
	Series      []*Row
	Err         error
}

// Point is a point to write.
type Point struct {
	Name   string
	Tags   map[string]string
	Fields map[string]interface{}
	Time   time.Time
}

// WritePointsRequest is a batch of points for one retention policy.
type WritePointsRequest struct {
	Database        string
	RetentionPolicy string
	Points          []Point
}

// PointsWriter writes points (through the cluster layer).
type PointsWriter interface {
	WritePoints(req *WritePointsRequest) error
}

// Mapper reads one shard inside a read-only transaction; Close releases
// the transaction.
type Mapper interface {
	Open() error
	NextChunk() (*Row, error)
	Close()
}

// SelectExecutor merges the mappers' chunks into rows.
type SelectExecutor struct {
	mappers []Mapper
}

// Execute starts the executor and returns its rows.
func (e *SelectExecutor) Execute() <-chan *Row {
	out := make(chan *Row)
	go e.execute(out)
	return out
}

func (e *SelectExecutor) execute(out chan *Row) {
	defer close(out)
	defer e.close()
	for _, m := range e.mappers {
		if err := m.Open(); err != nil {
			out <- &Row{Err: err} // heldout:site
			return
		}
	}
	for _, m := range e.mappers {
		for {
			row, err := m.NextChunk()
			if err != nil {
				out <- &Row{Err: err} // heldout:site
				return
			}
			if row == nil {
				break
			}
			out <- row // heldout:site
		}
	}
}

func (e *SelectExecutor) close() {
	for _, m := range e.mappers {
		m.Close()
	}
}

// Planner plans a select over the shards of a time range.
type Planner interface {
	Plan(stmt string, db string) (*SelectExecutor, error)
}

// QueryExecutor executes queries.
type QueryExecutor struct {
	Planner Planner
}

// ExecuteQuery executes each statement and streams the results.
func (q *QueryExecutor) ExecuteQuery(statements []string, database string) (<-chan *Result, error) {
	if len(statements) == 0 {
		return nil, errors.New("no statements")
	}
	results := make(chan *Result)
	go q.executeQuery(statements, database, results)
	return results, nil
}

func (q *QueryExecutor) executeQuery(statements []string, database string, results chan *Result) {
	defer close(results)
	for i, stmt := range statements {
		if err := q.executeSelectStatement(i, stmt, database, results); err != nil {
			results <- &Result{StatementID: i, Err: err} // heldout:site
			return
		}
	}
}

func (q *QueryExecutor) executeSelectStatement(statementID int, stmt, database string, results chan *Result) error {
	e, err := q.Planner.Plan(stmt, database)
	if err != nil {
		return err
	}
	resultSent := false
	for row := range e.Execute() {
		if row.Err != nil {
			return row.Err
		}
		resultSent = true
		results <- &Result{StatementID: statementID, Series: []*Row{row}} // heldout:site
	}
	if !resultSent {
		results <- &Result{StatementID: statementID} // heldout:site
	}
	return nil
}

// ContinuousQuery is a CQ: SELECT ... INTO intoDB.intoRP.intoMeasurement.
type ContinuousQuery struct {
	Database        string
	Query           string
	IntoDB          string
	IntoRP          string
	IntoMeasurement string
}

// Service runs continuous queries.
type Service struct {
	QueryExecutor *QueryExecutor
	PointsWriter  PointsWriter
	Logger        *log.Logger
}

// runContinuousQueryAndWriteResult runs the query and writes the results
// back in.
func (s *Service) runContinuousQueryAndWriteResult(cq *ContinuousQuery) error {
	ch, err := s.QueryExecutor.ExecuteQuery([]string{cq.Query}, cq.Database)
	if err != nil {
		return err
	}

	// Read all rows from the result channel.
	for result := range ch {
		if result.Err != nil {
			return result.Err // heldout:site
		}
		for _, row := range result.Series {
			points, err := convertRowToPoints(cq.IntoMeasurement, row)
			if err != nil {
				s.Logger.Println(err)
				continue
			}
			if len(points) == 0 {
				continue
			}
			// If the points have any nil values, can't write.
			for _, p := range points {
				for _, v := range p.Fields {
					if v == nil {
						return nil // heldout:site
					}
				}
			}
			req := &WritePointsRequest{
				Database:        cq.IntoDB,
				RetentionPolicy: cq.IntoRP,
				Points:          points,
			}
			if err := s.PointsWriter.WritePoints(req); err != nil {
				s.Logger.Println(err)
				return err // heldout:site
			}
		}
	}
	return nil
}

// convertRowToPoints converts a result row into points.
func convertRowToPoints(measurement string, row *Row) ([]Point, error) {
	timeIndex := -1
	fieldIndexes := make(map[string]int)
	for i, c := range row.Columns {
		if c == "time" {
			timeIndex = i
		} else {
			fieldIndexes[c] = i
		}
	}
	if timeIndex == -1 {
		return nil, errors.New("error finding time index in result")
	}
	points := make([]Point, 0, len(row.Values))
	for _, v := range row.Values {
		if len(v)-1 != len(fieldIndexes) {
			return nil, errors.New("unknown field or tag name in select clause")
		}
		vals := make(map[string]interface{})
		for name, i := range fieldIndexes {
			vals[name] = v[i]
		}
		t, _ := v[timeIndex].(time.Time)
		points = append(points, Point{Name: measurement, Tags: row.Tags, Fields: vals, Time: t})
	}
	return points, nil
}
