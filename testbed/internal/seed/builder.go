package seed

import (
	"fmt"
	"math/rand/v2"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// builder turns catalogue items into the objects of one cluster.
type builder struct {
	cluster int
}

func (b builder) clusterName() string { return fmt.Sprintf("testbed-%d", b.cluster) }

func labels(it item) map[string]string {
	return map[string]string{
		"app": it.app, "team": it.team, "tier": it.tier, "env": it.env,
		SeededLabel: "true",
	}
}

func meta(it item) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: it.name, Namespace: it.namespace, Labels: labels(it)}
}

// differs picks the items whose content depends on the cluster: every n-th.
func differs(it item, n int) bool { return it.index%n == 0 }

func (b builder) namespace(name string, feature bool) Object {
	l := map[string]string{SeededLabel: "true"}
	if feature {
		l["lifecycle"] = "feature"
	}
	return toObject(gvrNamespace, &corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l},
	})
}

func (b builder) configMap(it item) Object {
	data := map[string]string{
		"app":       it.app,
		"log-level": []string{"debug", "info", "warn"}[it.index%3],
		"settings.yaml": fmt.Sprintf("service: %s\nteam: %s\ntimeoutSeconds: %d\n",
			it.name, it.team, 5+it.index%25),
	}
	if differs(it, 10) {
		data["cluster"] = b.clusterName()
	}
	return toObject(gvrConfigMap, &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: meta(it),
		Data:       data,
	})
}

func (b builder) secret(it item) Object {
	s := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: meta(it),
	}
	switch it.index % 4 {
	case 0:
		s.Type = corev1.SecretTypeOpaque
		s.Data = map[string][]byte{"password": []byte(fmt.Sprintf("pw-%s-%d", it.app, it.index))}
	case 1:
		s.Type = corev1.SecretTypeTLS
		cert := validCert
		if it.index%8 == 1 {
			cert = expiredCert
		}
		s.Data = map[string][]byte{corev1.TLSCertKey: cert, corev1.TLSPrivateKeyKey: tlsKey}
	case 2:
		s.Type = corev1.SecretTypeDockerConfigJson
		s.Data = map[string][]byte{corev1.DockerConfigJsonKey: []byte(fmt.Sprintf(
			`{"auths":{"registry.local":{"username":"%s","password":"seed-%d"}}}`, it.team, it.index))}
	case 3:
		s.Type = corev1.SecretTypeBasicAuth
		s.Data = map[string][]byte{corev1.BasicAuthUsernameKey: []byte(it.team), corev1.BasicAuthPasswordKey: []byte(fmt.Sprintf("seed-%d", it.index))}
	}
	return toObject(gvrSecret, s)
}

// podTemplate is the pod of every seeded workload: tiny requests so that
// hundreds fit on the simulated nodes, and the fail label when asked for.
func podTemplate(it item, image string, fail bool) corev1.PodTemplateSpec {
	l := map[string]string{"app": it.name, "team": it.team, "tier": it.tier, SeededLabel: "true"}
	if fail {
		l[FailLabel] = "true"
	}
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: l},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name:  "main",
			Image: image,
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("10m"),
				corev1.ResourceMemory: resource.MustParse("16Mi"),
			}},
		}}},
	}
}

func selector(it item) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{"app": it.name}}
}

func image(it item, tag string) string {
	return fmt.Sprintf("registry.local/%s/%s:%s", it.team, it.app, tag)
}

// deployment has 0-2 replicas. Every 5th differs per cluster: its image tag
// and replica count come from the cluster's own random stream.
func (b builder) deployment(it item, local *rand.Rand) Object {
	replicas := int32(it.index % 3)
	tag := "1.0." + fmt.Sprint(it.index%7)
	if differs(it, 5) {
		replicas = int32(local.IntN(3))
		tag = fmt.Sprintf("1.%d.0", b.cluster)
	}
	return b.deploymentOf(it, replicas, image(it, tag), false)
}

func (b builder) deploymentOf(it item, replicas int32, img string, fail bool) Object {
	return toObject(gvrDeployment, &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: meta(it),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: selector(it),
			Template: podTemplate(it, img, fail),
		},
	})
}

func (b builder) headlessService(it item) Object {
	return toObject(gvrService, &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: meta(it),
		Spec: corev1.ServiceSpec{
			ClusterIP: corev1.ClusterIPNone,
			Selector:  map[string]string{"app": it.name},
			Ports:     []corev1.ServicePort{{Name: "db", Port: 5432}},
		},
	})
}

func (b builder) statefulSet(it item) Object {
	return toObject(gvrStatefulSet, &appsv1.StatefulSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
		ObjectMeta: meta(it),
		Spec: appsv1.StatefulSetSpec{
			Replicas:    ptr.To(int32(1 + it.index%2)),
			ServiceName: it.name,
			Selector:    selector(it),
			Template:    podTemplate(it, image(it, "15.4"), false),
		},
	})
}

func (b builder) daemonSet(it item) Object {
	return toObject(gvrDaemonSet, &appsv1.DaemonSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
		ObjectMeta: meta(it),
		Spec: appsv1.DaemonSetSpec{
			Selector: selector(it),
			Template: podTemplate(it, image(it, "2.1"), false),
		},
	})
}

func jobSpec(it item, fail bool) batchv1.JobSpec {
	tmpl := podTemplate(it, image(it, "1.0"), fail)
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	return batchv1.JobSpec{BackoffLimit: ptr.To(int32(0)), Template: tmpl}
}

func (b builder) job(it item, fail bool) Object {
	return toObject(gvrJob, &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: meta(it),
		Spec:       jobSpec(it, fail),
	})
}

// cronJob never runs every minute: ten seeded clusters would churn pods.
// Every third is suspended.
func (b builder) cronJob(it item) Object {
	return toObject(gvrCronJob, &batchv1.CronJob{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
		ObjectMeta: meta(it),
		Spec: batchv1.CronJobSpec{
			Schedule:                   schedules[it.index%len(schedules)],
			Suspend:                    ptr.To(it.index%3 == 0),
			SuccessfulJobsHistoryLimit: ptr.To(int32(1)),
			FailedJobsHistoryLimit:     ptr.To(int32(1)),
			JobTemplate:                batchv1.JobTemplateSpec{Spec: jobSpec(it, false)},
		},
	})
}
