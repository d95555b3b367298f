{{/* The release's full name, as resources are named. */}}
{{- define "molt-service.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels every resource carries. */}}
{{- define "molt-service.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ include "molt-service.version" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* What selects the service's pods. */}}
{{- define "molt-service.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The release version: the image tag, else the chart's appVersion. */}}
{{- define "molt-service.version" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{- define "molt-service.image" -}}
{{- printf "%s:%s" .Values.image.repository (include "molt-service.version" .) -}}
{{- end -}}

{{/* The Secret holding the database URL. */}}
{{- define "molt-service.secretName" -}}
{{- default (printf "%s-db" (include "molt-service.fullname" .)) .Values.database.existingSecret -}}
{{- end -}}

{{/* The environment the pods and the migration Jobs share. */}}
{{- define "molt-service.env" -}}
- name: MOLT_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "molt-service.secretName" . }}
      key: {{ .Values.database.secretKey }}
- name: MOLT_MIGRATIONS_DIR
  value: {{ .Values.molt.migrationsDir | quote }}
{{- range $name, $value := .Values.env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* terminationGracePeriodSeconds: the whole drain budget, preStop included (it counts against the grace period). */}}
{{- define "molt-service.terminationGrace" -}}
{{- $d := .Values.drain -}}
{{- add $d.preStopSeconds $d.delayMaxSeconds $d.graceSeconds $d.abortSeconds $d.closeHooksSeconds $d.marginSeconds -}}
{{- end -}}
