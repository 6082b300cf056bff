package seed

import (
	"context"
	"fmt"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
)

// FieldManager is the server-side apply manager of seeded fields.
const FieldManager = "testbed-seed"

// Apply server-side-applies objs with the given number of workers.
// Namespaces go first, since everything else lives in one. Applying the same
// plan twice changes nothing, which makes seeding idempotent.
func Apply(ctx context.Context, client dynamic.Interface, objs []Object, workers int) error {
	var namespaces, rest []Object
	for _, o := range objs {
		if o.GVR == gvrNamespace {
			namespaces = append(namespaces, o)
		} else {
			rest = append(rest, o)
		}
	}
	if err := applyAll(ctx, client, namespaces, workers); err != nil {
		return err
	}
	return applyAll(ctx, client, rest, workers)
}

func applyAll(ctx context.Context, client dynamic.Interface, objs []Object, workers int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan Object)
	var once sync.Once
	var firstErr error
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for o := range work {
				if err := applyOne(ctx, client, o); err != nil {
					once.Do(func() { firstErr = err; cancel() })
				}
			}
		}()
	}
feed:
	for _, o := range objs {
		select {
		case work <- o:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// applyOne retries what a busy API server may answer under load: throttling,
// timeouts and conflicts.
func applyOne(ctx context.Context, client dynamic.Interface, o Object) error {
	var err error
	for attempt := range 6 {
		_, err = client.Resource(o.GVR).Namespace(o.Obj.GetNamespace()).Apply(ctx, o.Obj.GetName(), o.Obj,
			metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
		if err == nil || !retriable(err) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(100<<attempt) * time.Millisecond):
		}
	}
	if err != nil {
		return fmt.Errorf("apply %s: %w", o, err)
	}
	return nil
}

func retriable(err error) bool {
	return apierrors.IsTooManyRequests(err) || apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) ||
		apierrors.IsConflict(err) || apierrors.IsServiceUnavailable(err) || apierrors.IsInternalError(err)
}
