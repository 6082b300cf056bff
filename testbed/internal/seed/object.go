package seed

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Object is one object to apply, with the resource it is served under.
type Object struct {
	GVR schema.GroupVersionResource
	Obj *unstructured.Unstructured
}

func (o Object) String() string {
	if ns := o.Obj.GetNamespace(); ns != "" {
		return fmt.Sprintf("%s %s/%s", o.GVR.Resource, ns, o.Obj.GetName())
	}
	return fmt.Sprintf("%s %s", o.GVR.Resource, o.Obj.GetName())
}

var (
	gvrNamespace   = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	gvrConfigMap   = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	gvrSecret      = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	gvrService     = schema.GroupVersionResource{Version: "v1", Resource: "services"}
	gvrDeployment  = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	gvrStatefulSet = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}
	gvrDaemonSet   = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "daemonsets"}
	gvrJob         = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}
	gvrCronJob     = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "cronjobs"}
)

// toObject converts a typed object (with TypeMeta set) for server-side apply,
// dropping the fields a typed struct always carries but apply must not own:
// an empty status and null creation timestamps.
func toObject(gvr schema.GroupVersionResource, typed runtime.Object) Object {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(typed)
	if err != nil {
		// Only reachable with a type the converter cannot handle: a bug here.
		panic(fmt.Sprintf("seed: convert %T: %v", typed, err))
	}
	delete(m, "status")
	stripNullTimestamps(m)
	return Object{GVR: gvr, Obj: &unstructured.Unstructured{Object: m}}
}

func stripNullTimestamps(v any) {
	switch t := v.(type) {
	case map[string]any:
		if ts, ok := t["creationTimestamp"]; ok && ts == nil {
			delete(t, "creationTimestamp")
		}
		for _, child := range t {
			stripNullTimestamps(child)
		}
	case []any:
		for _, child := range t {
			stripNullTimestamps(child)
		}
	}
}
