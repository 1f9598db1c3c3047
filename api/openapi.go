package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"

	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/models"
)

// OpenAPIPath serves the OpenAPI 3 document of the API.
const OpenAPIPath = "/api/openapi.json"

var ginParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// openAPIPath turns Gin's /resources/:id into OpenAPI's /resources/{id}.
func openAPIPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// textTypes describes types that marshal as text by what they look like on the wire.
func textTypes(_ string, t reflect.Type, _ reflect.StructTag, schema *openapi3.Schema) error {
	if t == reflect.TypeOf(calendar.Date{}) {
		*schema = *openapi3.NewStringSchema().WithFormat("date")
	}
	return nil
}

// nullableBody is a request body whose schema marks as nullable properties its Go type holds by
// value: JSON null leaves such a property empty, and the body's rules then judge it.
type nullableBody interface{ nullableProperties() []string }

// nullableProperties marks them in the body's schema, which openapi3gen hands over once it
// holds the body's properties.
func nullableProperties(_ string, t reflect.Type, _ reflect.StructTag, schema *openapi3.Schema) error {
	if t.Kind() != reflect.Struct || !t.Implements(reflect.TypeFor[nullableBody]()) {
		return nil
	}
	for _, name := range reflect.Zero(t).Interface().(nullableBody).nullableProperties() {
		p := schema.Properties[name]
		if p == nil || p.Value == nil {
			return fmt.Errorf("openapi schema for %s: no property %q to mark nullable", t, name)
		}
		p.Value.Nullable = true
	}
	return nil
}

// customizeSchema applies textTypes and nullableProperties.
func customizeSchema(name string, t reflect.Type, tag reflect.StructTag, schema *openapi3.Schema) error {
	if err := textTypes(name, t, tag, schema); err != nil {
		return err
	}
	return nullableProperties(name, t, tag, schema)
}

// openAPIDocument generates the document from the route table, so the two cannot drift.
func openAPIDocument(table []route, version string) ([]byte, error) {
	if version == "" {
		version = "dev"
	}
	schemas := openapi3.Schemas{}
	// Each DTO becomes one named component; nested types are inlined, which keeps every
	// component self-contained.
	schemaOf := func(v any) (*openapi3.SchemaRef, error) {
		name := reflect.TypeOf(v).Name()
		ref, ok := schemas[name]
		if !ok {
			var err error
			ref, err = openapi3gen.NewSchemaRefForValue(v, nil, openapi3gen.SchemaCustomizer(customizeSchema))
			if err != nil {
				return nil, fmt.Errorf("openapi schema for %T: %w", v, err)
			}
			schemas[name] = ref
		}
		return openapi3.NewSchemaRef("#/components/schemas/"+name, ref.Value), nil
	}
	errRef, err := schemaOf(ErrorBody{})
	if err != nil {
		return nil, err
	}
	errResp := func(desc string) *openapi3.ResponseRef {
		return &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription(desc).WithJSONSchemaRef(errRef)}
	}

	doc := &openapi3.T{
		OpenAPI: "3.0.3",
		Info: &openapi3.Info{
			Title:       "datashare API",
			Version:     version,
			Description: "Government data-sharing approvals (政务数据资源共享) on working-day deadlines. Errors use one envelope {\"error\": {\"code\", \"message\", \"fields\"}}.",
		},
		Paths: openapi3.NewPaths(),
		Components: &openapi3.Components{
			Schemas: schemas,
			SecuritySchemes: openapi3.SecuritySchemes{
				"bearer": &openapi3.SecuritySchemeRef{Value: openapi3.NewJWTSecurityScheme()},
			},
		},
	}
	for _, rt := range table {
		op := openapi3.NewOperation()
		op.OperationID = rt.op
		op.Summary = rt.summary
		op.Tags = []string{rt.tag}
		if len(rt.roles) > 0 {
			names := make([]any, len(rt.roles))
			for i, r := range rt.roles {
				names[i] = string(r)
			}
			op.Extensions = map[string]any{"x-roles": names}
			if rt.self {
				op.Extensions["x-self"] = "the principal whose subject is the id may call it too, whatever its roles"
			}
		}
		for _, m := range ginParam.FindAllStringSubmatch(rt.path, -1) {
			schema := openapi3.NewStringSchema()
			if m[1] == "id" && rt.idPattern != "" {
				schema = schema.WithPattern(rt.idPattern)
			}
			op.AddParameter(openapi3.NewPathParameter(m[1]).WithSchema(schema))
		}
		for _, q := range rt.query {
			op.AddParameter(openapi3.NewQueryParameter(q.name).WithDescription(q.description).WithSchema(openapi3.NewStringSchema()))
		}
		if rt.body != nil {
			ref, err := schemaOf(rt.body)
			if err != nil {
				return nil, err
			}
			_, optional := reflect.New(reflect.TypeOf(rt.body)).Interface().(optionalBody)
			op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(!optional).WithJSONSchemaRef(ref)}
		}
		op.Responses = openapi3.NewResponses()
		op.Responses.Delete("default")
		var ref *openapi3.SchemaRef
		success := openapi3.NewResponse().WithDescription(http.StatusText(rt.status))
		if rt.contentType != "" {
			success.WithContent(openapi3.NewContentWithSchema(openapi3.NewStringSchema(), []string{rt.contentType}))
		} else {
			var err error
			if ref, err = schemaOf(rt.resp); err != nil {
				return nil, err
			}
			success.WithJSONSchemaRef(ref)
			for _, mt := range rt.exports {
				success.Content[mt] = openapi3.NewMediaType().WithSchema(openapi3.NewStringSchema().WithFormat("binary"))
			}
		}
		if rt.idempotent {
			op.AddParameter(openapi3.NewHeaderParameter(HeaderIdempotencyKey).
				WithDescription(fmt.Sprintf("optional, 1-%d printable ASCII characters chosen by the client per create; "+
					"a repeat with the same key and body gets the first 2xx answer instead of a second create", models.MaxIdempotencyKeyLength)).
				WithSchema(openapi3.NewStringSchema().WithMinLength(1).WithMaxLength(models.MaxIdempotencyKeyLength).WithPattern(`^[ -~]+$`)))
			success.Headers = openapi3.Headers{HeaderIdempotentReplayed: &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
				Description: "true when the answer is replayed for a repeated Idempotency-Key",
				Schema:      openapi3.NewStringSchema().WithEnum("true").NewRef(),
			}}}}
		}
		op.Responses.Set(strconv.Itoa(rt.status), &openapi3.ResponseRef{Value: success})
		if rt.upsert {
			op.Responses.Set("201", &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("Created").WithJSONSchemaRef(ref)})
		}
		if rt.body != nil || len(rt.query) > 0 || len(ginParam.FindAllString(rt.path, -1)) > 0 {
			op.Responses.Set("400", errResp("invalid input; fields names each bad field"))
		}
		if rt.body != nil {
			op.Responses.Set("415", errResp("unsupported_media_type: the body is not sent as Content-Type: application/json (UTF-8)"))
		}
		if !rt.public {
			op.Security = &openapi3.SecurityRequirements{{"bearer": []string{}}}
			op.Responses.Set("401", errResp("missing or invalid bearer token"))
			op.Responses.Set("403", errResp("the caller's role or department may not do this"))
		}
		if len(ginParam.FindAllString(rt.path, -1)) > 0 {
			op.Responses.Set("404", errResp("not found"))
		}
		if rt.method != http.MethodGet && rt.method != http.MethodDelete && !rt.upsert {
			op.Responses.Set("409", errResp("conflict: stale version, duplicate code, or the resource is not in a state that allows this"))
		}
		var unprocessable []string
		if rt.idempotent {
			unprocessable = append(unprocessable, "idempotency_key_reused: the Idempotency-Key was already used for a different request")
		}
		if rt.rule != "" {
			unprocessable = append(unprocessable, rt.rule)
		}
		if len(unprocessable) > 0 {
			op.Responses.Set("422", errResp(strings.Join(unprocessable, "; ")))
		}
		if rt.path == "/readyz" {
			op.Responses.Set("503", &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("a dependency is unreachable").WithJSONSchemaRef(ref)})
		}
		doc.AddOperation(openAPIPath(rt.path), rt.method, op)
	}
	if err := doc.Validate(openapi3.NewLoader().Context); err != nil {
		return nil, fmt.Errorf("openapi document invalid: %w", err)
	}
	return json.MarshalIndent(doc, "", "  ")
}
