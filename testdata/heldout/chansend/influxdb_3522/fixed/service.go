// Package fixed is the fixed version of chansend/influxdb_3522: the CQ
// service consumes the rest of the result channel before it returns
// early, so the query executor and the select executor run to their end.
package fixed

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
			out <- &Row{Err: err}
			return
		}
	}
	for _, m := range e.mappers {
		for {
			row, err := m.NextChunk()
			if err != nil {
				out <- &Row{Err: err}
				return
			}
			if row == nil {
				break
			}
			out <- row
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
			results <- &Result{StatementID: i, Err: err}
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
		results <- &Result{StatementID: statementID, Series: []*Row{row}}
	}
	if !resultSent {
		results <- &Result{StatementID: statementID}
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
			drain(ch)
			return result.Err
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
						drain(ch)
						return nil
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
				drain(ch)
				return err
			}
		}
	}
	return nil
}

// drain consumes the remaining results so that the executor can finish
// and release its mappers.
func drain(ch <-chan *Result) {
	for range ch {
	}
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
