/* The second half of test_kinds_core.c: services, namespaces, config
 * maps and secrets, events and endpoints, nodes, persistent volumes and
 * claims.  Included once, from test_kinds_core.c. */

static void test_services(void)
{
	k8c_field_errors_t e = K8C_FIELD_ERRORS_INIT;
	cJSON *svc, *old;
	const cJSON *spec;

	svc = J("{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"selector\":"
	        "{\"app\":\"web\"},"
	        "\"ports\":[{\"name\":\"http\",\"port\":80},{\"name\":\"https\",\"port\":443,"
	        "\"targetPort\":\"https\"}]}}");
	create(&k8c_kind_services, svc, &e);
	EXPECT_NO_ERRS(&e, "ClusterIP service");
	spec = k8c_jget(svc, "spec");
	is_str(S(spec, "type"), "ClusterIP", "type ClusterIP");
	is_str(S(spec, "sessionAffinity"), "None", "sessionAffinity None");
	is_str(S(cJSON_GetArrayItem(k8c_jget(spec, "ports"), 0), "protocol"), "TCP",
	       "port protocol TCP");
	is_int(k8c_jint(cJSON_GetArrayItem(k8c_jget(spec, "ports"), 0), "targetPort", 0), 80,
	       "targetPort = port");
	is_str(S(cJSON_GetArrayItem(k8c_jget(spec, "ports"), 1), "targetPort"), "https",
	       "named targetPort kept");
	is_str(S(spec, "ipFamilyPolicy"), "SingleStack", "ipFamilyPolicy SingleStack");
	ok(cJSON_GetArraySize(k8c_jget(spec, "ipFamilies")) == 1 &&
	       strcmp(cJSON_GetArrayItem(k8c_jget(spec, "ipFamilies"), 0)->valuestring, "IPv4") ==
	           0,
	   "ipFamilies [IPv4]");
	is_str(S(spec, "internalTrafficPolicy"), "Cluster", "internalTrafficPolicy Cluster");
	ok(k8c_jget(spec, "externalTrafficPolicy") == NULL,
	   "no externalTrafficPolicy for ClusterIP");
	ok(cJSON_IsObject(k8c_jget(svc, "status.loadBalancer")), "status {loadBalancer: {}}");
	cJSON_Delete(svc);

	svc = J("{\"metadata\":{\"name\":\"lb\"},\"spec\":{\"type\":\"LoadBalancer\","
	        "\"sessionAffinity\":\"ClientIP\","
	        "\"ports\":[{\"port\":80}]}}");
	create(&k8c_kind_services, svc, &e);
	EXPECT_NO_ERRS(&e, "LoadBalancer service");
	is_str(S(svc, "spec.externalTrafficPolicy"), "Cluster", "externalTrafficPolicy Cluster");
	is_int(k8c_jbool(svc, "spec.allocateLoadBalancerNodePorts", 0), 1,
	       "allocateLoadBalancerNodePorts true");
	is_int(k8c_jint(svc, "spec.sessionAffinityConfig.clientIP.timeoutSeconds", 0), 10800,
	       "ClientIP timeout 10800");
	cJSON_Delete(svc);

	svc = J("{\"metadata\":{\"name\":\"hl\"},\"spec\":{\"clusterIP\":\"None\"}}");
	create(&k8c_kind_services, svc, &e);
	EXPECT_NO_ERRS(&e, "headless service without ports");
	is_str(S(svc, "spec.ipFamilyPolicy"), "RequireDualStack",
	       "selectorless headless: RequireDualStack");
	is_int(cJSON_GetArraySize(k8c_jget(svc, "spec.ipFamilies")), 2,
	       "selectorless headless: both families");
	is_str(cJSON_GetArrayItem(k8c_jget(svc, "spec.clusterIPs"), 0)->valuestring, "None",
	       "clusterIPs from clusterIP");
	cJSON_Delete(svc);

	svc = J("{\"metadata\":{\"name\":\"ext\"},\"spec\":{\"type\":\"ExternalName\","
	        "\"externalName\":\"example.com.\"}}");
	create(&k8c_kind_services, svc, &e);
	EXPECT_NO_ERRS(&e, "ExternalName service");
	ok(k8c_jget(svc, "spec.ipFamilies") == NULL &&
	       k8c_jget(svc, "spec.internalTrafficPolicy") == NULL,
	   "ExternalName: no IP families, no traffic policy");
	cJSON_Delete(svc);

	svc = J("{\"metadata\":{\"name\":\"Web\"},\"spec\":{\"type\":\"Fancy\",\"selector\":{"
	        "\"app\":\"-bad\"}}}");
	create(&k8c_kind_services, svc, &e);
	EXPECT_ERR(&e, "metadata.name: Invalid value: \"Web\": a DNS-1035 label must consist of "
	               "lower case alphanumeric "
	               "characters or '-', start with an alphabetic character, and end with an "
	               "alphanumeric character "
	               "(e.g. 'my-name',  or 'abc-123', regex used for validation is "
	               "'[a-z]([-a-z0-9]*[a-z0-9])?')");
	EXPECT_ERR(&e, "spec.ports: Required value");
	EXPECT_ERR(&e, "spec.selector: Invalid value: \"-bad\": a valid label must be an empty "
	               "string or consist of "
	               "alphanumeric characters, '-', '_' or '.', and must start and end with an "
	               "alphanumeric character "
	               "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
	               "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
	EXPECT_ERR(&e, "spec.type: Unsupported value: \"Fancy\": supported values: \"ClusterIP\", "
	               "\"ExternalName\", "
	               "\"LoadBalancer\", \"NodePort\"");
	is_int(e.n, 4, "four errors");
	k8c_field_errors_free(&e);
	cJSON_Delete(svc);

	svc = J("{\"metadata\":{\"name\":\"s\"},\"spec\":{\"ports\":[{\"port\":0},{\"port\":80,"
	        "\"nodePort\":30080},"
	        "{\"name\":\"b\",\"port\":80}]}}");
	create(&k8c_kind_services, svc, &e);
	EXPECT_ERR(&e, "spec.ports[0].name: Required value");
	EXPECT_ERR(&e,
	           "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive");
	EXPECT_ERR(
	    &e,
	    "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive");
	EXPECT_ERR(&e, "spec.ports[1].name: Required value");
	EXPECT_ERR(&e,
	           "spec.ports[1].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
	EXPECT_ERR(
	    &e,
	    "spec.ports[2]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", "
	    "AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, "
	    "StrVal:\"\"}, NodePort:0}");
	k8c_field_errors_free(&e);
	cJSON_Delete(svc);

	svc = J("{\"metadata\":{\"name\":\"ext\"},\"spec\":{\"type\":\"ExternalName\","
	        "\"clusterIP\":\"10.96.0.1\"}}");
	create(&k8c_kind_services, svc, &e);
	EXPECT_ERR(&e, "spec.clusterIPs: Forbidden: may not be set for ExternalName services");
	EXPECT_ERR(&e, "spec.externalName: Required value");
	k8c_field_errors_free(&e);
	cJSON_Delete(svc);

	/* clusterIP is immutable; leaving it out keeps it */
	old = J("{\"metadata\":{\"name\":\"web\"},\"spec\":{\"clusterIP\":\"10.96.0.10\",\"ports\":"
	        "[{\"port\":80}]}}");
	create(&k8c_kind_services, old, &e);
	EXPECT_NO_ERRS(&e, "service with a clusterIP");
	svc = J("{\"metadata\":{\"name\":\"web\"},\"spec\":{\"ports\":[{\"port\":8080}]}}");
	update(&k8c_kind_services, svc, old, &e);
	EXPECT_NO_ERRS(&e, "update without clusterIP");
	is_str(S(svc, "spec.clusterIP"), "10.96.0.10", "clusterIP kept from the stored service");
	cJSON_Delete(svc);
	svc = cJSON_Duplicate(old, 1);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(svc, "spec"), "clusterIP",
	                          cJSON_CreateString("10.96.0.11"));
	update(&k8c_kind_services, svc, old, &e);
	EXPECT_ERR(
	    &e,
	    "spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.11\"}: may not change once set");
	k8c_field_errors_free(&e);
	cJSON_Delete(svc);
	cJSON_Delete(old);

#define SVC_ROW(json, want, what)                                                                  \
	do {                                                                                       \
		cJSON *o_ = J(json);                                                               \
		IS_ROW(&k8c_kind_services, o_, want, what);                                        \
		cJSON_Delete(o_);                                                                  \
	} while (0)
#define SVC_META "\"metadata\":{\"name\":\"s\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\"}"
	SVC_ROW("{" SVC_META ",\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":\"10.96.0.10\","
	                     "\"clusterIPs\":[\"10.96.0.10\"],"
	        "\"selector\":{\"tier\":\"web\",\"app\":\"shop\"},\"ports\":[{\"port\":80,"
	        "\"protocol\":\"TCP\"},"
	        "{\"port\":53,\"protocol\":\"UDP\"}]}}",
	        "s|ClusterIP|10.96.0.10|<none>|80/TCP,53/UDP|60m|app=shop,tier=web",
	        "ClusterIP row");
	SVC_ROW("{" SVC_META ",\"spec\":{\"type\":\"NodePort\",\"clusterIPs\":[\"10.96.0.11\"],"
	                     "\"externalIPs\":[\"1.2.3.4\"],"
	        "\"ports\":[{\"port\":80,\"nodePort\":30080,\"protocol\":\"TCP\"}]}}",
	        "s|NodePort|10.96.0.11|1.2.3.4|80:30080/TCP|60m|<none>", "NodePort row");
	SVC_ROW("{" SVC_META ",\"spec\":{\"type\":\"LoadBalancer\",\"clusterIPs\":[\"10.96.0.12\"],"
	        "\"ports\":[{\"port\":80,\"nodePort\":31000,\"protocol\":\"TCP\"}]},\"status\":{"
	        "\"loadBalancer\":{}}}",
	        "s|LoadBalancer|10.96.0.12|<pending>|80:31000/TCP|60m|<none>",
	        "pending LoadBalancer row");
	SVC_ROW("{" SVC_META ",\"spec\":{\"type\":\"LoadBalancer\",\"clusterIPs\":[\"10.96.0.12\"],"
	                     "\"externalIPs\":[\"9.9.9.9\"],"
	        "\"ports\":[{\"port\":443,\"nodePort\":31001,\"protocol\":\"TCP\"}]},\"status\":{"
	        "\"loadBalancer\":{\"ingress\":["
	        "{\"hostname\":\"lb.example.com\"},{\"ip\":\"5.6.7.8\"}]}}}",
	        "s|LoadBalancer|10.96.0.12|5.6.7.8,lb.example.com,9.9.9.9|443:31001/TCP|60m|<none>",
	        "LoadBalancer row");
	SVC_ROW("{" SVC_META
	        ",\"spec\":{\"type\":\"ExternalName\",\"externalName\":\"example.com\"}}",
	        "s|ExternalName|<none>|example.com|<none>|60m|<none>", "ExternalName row");
	SVC_ROW(
	    "{" SVC_META
	    ",\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":\"None\",\"clusterIPs\":[\"None\"]}}",
	    "s|ClusterIP|None|<none>|<none>|60m|<none>", "headless row");
	ok(k8c_kind_services.field_selectors &&
	       strcmp(k8c_kind_services.field_selectors[0], "spec.clusterIP") == 0 &&
	       strcmp(k8c_kind_services.field_selectors[1], "spec.type") == 0,
	   "service field selectors");
}

static void test_namespaces(void)
{
	k8c_field_errors_t e = K8C_FIELD_ERRORS_INIT;
	cJSON *ns = J("{\"metadata\":{\"name\":\"team-a\"},\"spec\":{\"finalizers\":[\"example.com/"
	              "cleanup\"]}}"),
	      *old;
	char buf[32];

	create(&k8c_kind_namespaces, ns, &e);
	EXPECT_NO_ERRS(&e, "namespace");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(k8c_jget(ns, "metadata.labels"),
	                                                "kubernetes.io/metadata.name")),
	       "team-a", "kubernetes.io/metadata.name label");
	is_str(S(ns, "status.phase"), "Active", "status.phase Active");
	is_int(cJSON_GetArraySize(k8c_jget(ns, "spec.finalizers")), 2,
	       "the kubernetes finalizer is added");
	is_str(cJSON_GetArrayItem(k8c_jget(ns, "spec.finalizers"), 1)->valuestring, "kubernetes",
	       "... at the end");
	old = ns;
	ns = J("{\"metadata\":{\"name\":\"team-a\"},\"spec\":{\"finalizers\":[]}}");
	update(&k8c_kind_namespaces, ns, old, &e);
	EXPECT_NO_ERRS(&e, "namespace update");
	is_int(cJSON_GetArraySize(k8c_jget(ns, "spec.finalizers")), 2, "finalizers kept on update");
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(ns, "status"), "phase",
	                          cJSON_CreateString("Terminating"));
	k8c_kind_namespaces.validate(K8C_OP_STATUS_UPDATE, ns, old, &e);
	EXPECT_ERR(&e, "status.Phase: Invalid value: \"Terminating\": may only be 'Active' if "
	               "`deletionTimestamp` is empty");
	k8c_field_errors_free(&e);
	cJSON_Delete(ns);
	cJSON_Delete(old);

	ns = J("{\"metadata\":{\"name\":\"a.b\"},\"spec\":{\"finalizers\":[\"foo\"]}}");
	create(&k8c_kind_namespaces, ns, &e);
	EXPECT_ERR(&e, "metadata.name: Invalid value: \"a.b\": must not contain dots");
	EXPECT_ERR(&e, "spec.finalizers: Invalid value: \"foo\": name is neither a standard "
	               "finalizer name nor is it "
	               "fully qualified");
	is_int(e.n, 2, "two errors");
	k8c_field_errors_free(&e);
	cJSON_Delete(ns);

	ns = J("{\"metadata\":{\"name\":\"team-a\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\"},"
	       "\"status\":{\"phase\":\"Active\"}}");
	IS_ROW(&k8c_kind_namespaces, ns, "team-a|Active|60m", "namespace row");
	is_str(k8c_kind_namespaces.field_value(ns, "name", buf, sizeof(buf)), "team-a",
	       "legacy name field");
	is_str(k8c_kind_namespaces.field_value(ns, "status.phase", buf, sizeof(buf)), "Active",
	       "status.phase field");
	cJSON_Delete(ns);
}

static void test_config(void)
{
	k8c_field_errors_t e = K8C_FIELD_ERRORS_INIT;
	cJSON *cm, *old, *s;
	char *big, buf[32];

	cm = J("{\"metadata\":{\"name\":\"cfg\"},\"data\":{\"a.b\":\"x\",\"bad "
	       "key\":\"y\"},\"binaryData\":{\"a.b\":\"eA==\"}}");
	create(&k8c_kind_configmaps, cm, &e);
	EXPECT_ERR(&e, "data[bad key]: Invalid value: \"bad key\": a valid config key must consist "
	               "of alphanumeric "
	               "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
	               "'key-name', regex used for "
	               "validation is '[-._a-zA-Z0-9]+')");
	EXPECT_ERR(&e, "data[a.b]: Invalid value: \"a.b\": duplicate of key present in binaryData");
	is_int(e.n, 2, "two errors");
	k8c_field_errors_free(&e);
	cJSON_Delete(cm);

	big = malloc(1024 * 1024 + 2);
	memset(big, 'x', 1024 * 1024 + 1);
	big[1024 * 1024 + 1] = '\0';
	cm = J("{\"metadata\":{\"name\":\"big\"},\"data\":{}}");
	cJSON_AddStringToObject(cJSON_GetObjectItem(cm, "data"), "big", big);
	create(&k8c_kind_configmaps, cm, &e);
	ok(e.n == 1 && e.items[0].type == K8C_FIELD_TOO_LONG && strcmp(e.items[0].field, "") == 0 &&
	       strcmp(e.items[0].detail, "may not be more than 1048576 bytes") == 0,
	   "over 1 MiB: Too long");
	k8c_field_errors_free(&e);
	cJSON_Delete(cm);
	free(big);

	old = J("{\"metadata\":{\"name\":\"cfg\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\"},"
	        "\"immutable\":true,"
	        "\"data\":{\"a\":\"1\",\"b\":\"2\"},\"binaryData\":{\"c\":\"eA==\"}}");
	cm = J("{\"metadata\":{\"name\":\"cfg\"},\"immutable\":false,\"data\":{\"a\":\"2\",\"b\":"
	       "\"2\"},\"binaryData\":{\"c\":\"eA==\"}}");
	update(&k8c_kind_configmaps, cm, old, &e);
	EXPECT_ERR(&e, "immutable: Forbidden: field is immutable when `immutable` is set");
	EXPECT_ERR(&e, "data: Forbidden: field is immutable when `immutable` is set");
	is_int(e.n, 2, "binaryData unchanged");
	k8c_field_errors_free(&e);
	IS_ROW(&k8c_kind_configmaps, old, "cfg|#3|60m",
	       "config map row counts data and binaryData");
	cJSON_Delete(cm);
	cJSON_Delete(old);

	s = J("{\"metadata\":{\"name\":\"s\"},\"stringData\":{\"password\":\"s3cret\"},\"data\":{"
	      "\"user\":\"YWRtaW4=\"}}");
	create(&k8c_kind_secrets, s, &e);
	EXPECT_NO_ERRS(&e, "opaque secret");
	is_str(S(s, "type"), "Opaque", "type Opaque");
	is_str(S(s, "data.password"), "czNjcmV0", "stringData merged into data, base64");
	ok(k8c_jget(s, "stringData") == NULL, "stringData is write-only");
	old = s;
	s = J("{\"metadata\":{\"name\":\"s\"},\"type\":\"kubernetes.io/"
	      "tls\",\"data\":{\"user\":\"YWRtaW4=\"}}");
	update(&k8c_kind_secrets, s, old, &e);
	EXPECT_ERR(&e, "type: Invalid value: \"kubernetes.io/tls\": field is immutable");
	EXPECT_ERR(&e, "data[tls.crt]: Required value");
	EXPECT_ERR(&e, "data[tls.key]: Required value");
	k8c_field_errors_free(&e);
	cJSON_Delete(s);
	cJSON_ReplaceItemInObject(
	    old, "metadata", J("{\"name\":\"s\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\"}"));
	IS_ROW(&k8c_kind_secrets, old, "s|Opaque|#2|60m", "secret row");
	is_str(k8c_jstr(old, k8c_kind_secrets.field_selectors[0]), "Opaque",
	       "secret field selector: type");
	cJSON_Delete(old);

	s = J("{\"metadata\":{\"name\":\"t\"},\"type\":\"kubernetes.io/"
	      "dockerconfigjson\",\"data\":{\".dockerconfigjson\":\"bm90IGpzb24=\"}}");
	create(&k8c_kind_secrets, s, &e);
	ok(e.n == 1 && strcmp(e.items[0].field, "data[.dockerconfigjson]") == 0,
	   "docker config must be JSON");
	k8c_field_errors_free(&e);
	cJSON_Delete(s);

	s = J("{\"metadata\":{\"name\":\"default\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\"},"
	      "\"secrets\":[{\"name\":\"x\"}]}");
	IS_ROW(&k8c_kind_serviceaccounts, s, "default|#1|60m", "service account row");
	cJSON_Delete(s);
	(void)buf;
}

static void test_events_endpoints(void)
{
	k8c_field_errors_t e = K8C_FIELD_ERRORS_INIT;
	cJSON *ev, *ep;
	char buf[32];

	ev = J("{\"metadata\":{\"name\":\"web.1\",\"namespace\":\"default\"},\"involvedObject\":{"
	       "\"kind\":\"Pod\","
	       "\"name\":\"web\",\"namespace\":\"other\"},\"reason\":\"Started\"}");
	create(&k8c_kind_events, ev, &e);
	EXPECT_ERR(
	    &e,
	    "involvedObject.namespace: Invalid value: \"other\": does not match event.namespace");
	is_int(e.n, 1, "one error");
	ok(cJSON_IsNull(k8c_jget(ev, "eventTime")) &&
	       cJSON_IsNull(k8c_jget(ev, "firstTimestamp")) &&
	       cJSON_IsObject(k8c_jget(ev, "source")),
	   "zero times written as null, source as {}");
	is_str(S(ev, "reportingComponent"), "", "reportingComponent \"\"");
	k8c_field_errors_free(&e);
	cJSON_Delete(ev);

	ev = J("{\"metadata\":{\"name\":\"web.2\",\"namespace\":\"default\"},\"eventTime\":\"2024-"
	       "01-01T00:59:50.000000Z\","
	       "\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"web\",\"namespace\":\"default\"}}");
	create(&k8c_kind_events, ev, &e);
	EXPECT_ERR(&e, "reportingController: Required value");
	EXPECT_ERR(&e, "reportingInstance: Required value");
	EXPECT_ERR(&e, "action: Required value");
	EXPECT_ERR(&e, "reason: Required value");
	k8c_field_errors_free(&e);
	cJSON_Delete(ev);

	ev = J("{\"metadata\":{\"name\":\"web.17a\",\"namespace\":\"default\"},\"involvedObject\":{"
	       "\"kind\":\"Pod\","
	       "\"name\":\"web\",\"fieldPath\":\"spec.containers{web}\"},\"reason\":\"BackOff\","
	       "\"message\":\"  Back-off "
	       "restarting  "
	       "\\n\",\"type\":\"Warning\",\"count\":3,\"firstTimestamp\":\"2024-01-01T00:30:00Z\","
	       "\"lastTimestamp\":\"2024-01-01T00:58:00Z\",\"source\":{\"component\":\"kubelet\","
	       "\"host\":\"node1\"}}");
	IS_ROW(&k8c_kind_events, ev,
	       "2m|Warning|BackOff|pod/web|spec.containers{web}|kubelet, node1|Back-off "
	       "restarting|30m|#3|web.17a",
	       "event row");
	is_str(k8c_kind_events.field_value(ev, "source", buf, sizeof(buf)), "kubelet",
	       "source = source.component");
	is_str(k8c_kind_events.field_value(ev, "involvedObject.name", buf, sizeof(buf)), "web",
	       "involvedObject.name");
	cJSON_Delete(ev);
	ev = J("{\"metadata\":{\"name\":\"n\"},\"involvedObject\":{\"kind\":\"Node\"},\"type\":"
	       "\"Normal\",\"reason\":\"Scheduled\","
	       "\"eventTime\":\"2024-01-01T00:59:50.123456Z\",\"reportingComponent\":\"default-"
	       "scheduler\"}");
	IS_ROW(&k8c_kind_events, ev, "10s|Normal|Scheduled|node||default-scheduler||10s|#1|n",
	       "new-style event row");
	is_str(k8c_kind_events.field_value(ev, "source", buf, sizeof(buf)), "default-scheduler",
	       "source falls back to reportingComponent");
	cJSON_Delete(ev);

	ep = J("{\"metadata\":{\"name\":\"web\"},\"subsets\":[{\"addresses\":[{\"ip\":\"10.0.0."
	       "300\"},{\"ip\":\"127.0.0.1\"}],"
	       "\"ports\":[{\"port\":80},{\"name\":\"b\",\"port\":70000}]},{\"ports\":[{\"port\":1}"
	       "]}]}");
	create(&k8c_kind_endpoints, ep, &e);
	EXPECT_ERR(&e,
	           "subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`");
	EXPECT_ERR(&e, "subsets[0].addresses[0].ip: Invalid value: \"10.0.0.300\": must be a valid "
	               "IP address, (e.g. "
	               "10.9.8.7 or 2001:db8::ffff)");
	EXPECT_ERR(&e, "subsets[0].addresses[0].ip: Invalid value: \"10.0.0.300\": must be a valid "
	               "IP address");
	EXPECT_ERR(&e, "subsets[0].addresses[1].ip: Invalid value: \"127.0.0.1\": may not be in "
	               "the loopback range "
	               "(127.0.0.0/8, ::1/128)");
	EXPECT_ERR(&e, "subsets[0].ports[0].name: Required value");
	EXPECT_ERR(&e, "subsets[0].ports[1].port: Invalid value: 70000: must be between 1 and "
	               "65535, inclusive");
	is_str(S(cJSON_GetArrayItem(
	             k8c_jget(cJSON_GetArrayItem(k8c_jget(ep, "subsets"), 0), "ports"), 0),
	         "protocol"),
	       "TCP", "endpoint port protocol TCP");
	is_int(e.n, 6, "six errors");
	k8c_field_errors_free(&e);
	cJSON_Delete(ep);

	ep = J("{\"metadata\":{\"name\":\"web\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\"},"
	       "\"subsets\":["
	       "{\"addresses\":[{\"ip\":\"10.0.0.1\"},{\"ip\":\"10.0.0.2\"}],\"ports\":[{\"port\":"
	       "80}]},"
	       "{\"addresses\":[{\"ip\":\"fd00::1\"},{\"ip\":\"10.0.0.4\"}],\"ports\":[{\"port\":"
	       "8080}]}]}");
	IS_ROW(&k8c_kind_endpoints, ep,
	       "web|10.0.0.1:80,10.0.0.2:80,[fd00::1]:8080 + 1 more...|60m", "endpoints row");
	cJSON_Delete(ep);
	ep = J("{\"metadata\":{\"name\":\"none\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\"}}");
	IS_ROW(&k8c_kind_endpoints, ep, "none|<none>|60m", "endpoints without subsets");
	cJSON_Delete(ep);
}

static void test_nodes(void)
{
	k8c_field_errors_t e = K8C_FIELD_ERRORS_INIT;
	cJSON *node, *old;
	char buf[32];

	node = J("{\"metadata\":{\"name\":\"n1\"},\"spec\":{\"podCIDRs\":[\"10.244.0.0/"
	         "33\"],\"taints\":["
	         "{\"key\":\"dedicated\",\"value\":\"gpu\",\"effect\":\"NoSchedule\"},"
	         "{\"key\":\"dedicated\",\"value\":\"x\",\"effect\":\"NoSchedule\"},{\"key\":\"bad "
	         "key\"}]},"
	         "\"status\":{\"capacity\":{\"cpu\":\"-1\",\"memory\":\"8Gi\",\"pods\":\"110\"}}}");
	create(&k8c_kind_nodes, node, &e);
	EXPECT_ERR(
	    &e, "metadata.taints[1]: Duplicate value: core.Taint{Key:\"dedicated\", Value:\"x\", "
	        "Effect:\"NoSchedule\", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key "
	        "and effect pair");
	EXPECT_ERR(&e, "metadata.taints[2].key: Invalid value: \"bad key\": name part must consist "
	               "of alphanumeric "
	               "characters, '-', '_' or '.', and must start and end with an alphanumeric "
	               "character (e.g. "
	               "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
	               "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
	EXPECT_ERR(&e, "metadata.taints[2].effect: Required value");
	EXPECT_ERR(
	    &e, "status.capacity.cpu: Invalid value: \"-1\": must be greater than or equal to 0");
	EXPECT_ERR(
	    &e,
	    "status.allocatable.cpu: Invalid value: \"-1\": must be greater than or equal to 0");
	EXPECT_ERR(
	    &e,
	    "spec.podCIDRs[0]: Invalid value: \"10.244.0.0/33\": must be a valid CIDR value, (e.g. "
	    "10.9.8.0/24 or 2001:db8::/64)");
	is_int(e.n, 6, "six errors");
	is_str(S(node, "status.allocatable.memory"), "8Gi", "allocatable defaults to capacity");
	is_str(S(node, "status.nodeInfo.kubeletVersion"), "", "nodeInfo written");
	k8c_field_errors_free(&e);
	cJSON_Delete(node);

	old = J("{\"metadata\":{\"name\":\"n1\"},\"spec\":{\"podCIDR\":\"10.244.1.0/"
	        "24\",\"podCIDRs\":[\"10.244.1.0/24\"],"
	        "\"providerID\":\"kind://n1\"}}");
	create(&k8c_kind_nodes, old, &e);
	EXPECT_NO_ERRS(&e, "node");
	node = J("{\"metadata\":{\"name\":\"n1\"},\"spec\":{\"podCIDRs\":[\"10.244.2.0/"
	         "24\"],\"providerID\":\"kind://n2\","
	         "\"unschedulable\":true}}");
	update(&k8c_kind_nodes, node, old, &e);
	EXPECT_ERR(&e, "spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "
	               "\"\" to valid");
	EXPECT_ERR(&e, "spec.providerID: Forbidden: node updates may not change providerID except "
	               "from \"\" to valid");
	is_int(e.n, 2, "two errors");
	is_str(k8c_kind_nodes.field_value(node, "spec.unschedulable", buf, sizeof(buf)), "true",
	       "unschedulable true");
	is_str(k8c_kind_nodes.field_value(old, "spec.unschedulable", buf, sizeof(buf)), "false",
	       "unschedulable false");
	k8c_field_errors_free(&e);
	cJSON_Delete(node);
	cJSON_Delete(old);

	node = J("{\"metadata\":{\"name\":\"n1\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\","
	         "\"labels\":{"
	         "\"node-role.kubernetes.io/control-plane\":\"\",\"kubernetes.io/"
	         "role\":\"worker\",\"kubernetes.io/os\":\"linux\"}},"
	         "\"spec\":{\"unschedulable\":true},\"status\":{\"conditions\":[{\"type\":"
	         "\"MemoryPressure\",\"status\":\"False\"},"
	         "{\"type\":\"Ready\",\"status\":\"True\"}],\"addresses\":[{\"type\":\"Hostname\","
	         "\"address\":\"n1\"},"
	         "{\"type\":\"InternalIP\",\"address\":\"10.0.0.5\"}],\"nodeInfo\":{"
	         "\"kubeletVersion\":\"v1.32.0\","
	         "\"osImage\":\"Debian GNU/Linux "
	         "12\",\"kernelVersion\":\"6.1.0\",\"containerRuntimeVersion\":\"containerd://"
	         "1.7.0\"}}}");
	IS_ROW(&k8c_kind_nodes, node,
	       "n1|Ready,SchedulingDisabled|control-plane,worker|60m|v1.32.0|10.0.0.5|<none>|"
	       "Debian GNU/Linux 12|6.1.0|containerd://1.7.0",
	       "node row");
	cJSON_Delete(node);
	node = J("{\"metadata\":{\"name\":\"n2\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\"},"
	         "\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"Unknown\"}]}}");
	IS_ROW(&k8c_kind_nodes, node,
	       "n2|NotReady|<none>|60m||<none>|<none>|<unknown>|<unknown>|<unknown>",
	       "NotReady node");
	cJSON_Delete(node);
}

static void test_volumes(void)
{
	k8c_field_errors_t e = K8C_FIELD_ERRORS_INIT;
	cJSON *pv, *pvc, *old;

	pv = J("{\"metadata\":{\"name\":\"pv1\"},\"spec\":{\"capacity\":{\"storage\":\"10Gi\"},"
	       "\"accessModes\":[\"ReadWriteOnce\"],"
	       "\"hostPath\":{\"path\":\"/data\"}}}");
	create(&k8c_kind_persistentvolumes, pv, &e);
	EXPECT_NO_ERRS(&e, "persistent volume");
	is_str(S(pv, "spec.persistentVolumeReclaimPolicy"), "Retain", "reclaim policy Retain");
	is_str(S(pv, "spec.volumeMode"), "Filesystem", "volumeMode Filesystem");
	is_str(S(pv, "spec.hostPath.type"), "", "hostPath type \"\"");
	is_str(S(pv, "status.phase"), "Pending", "status.phase Pending");
	ok(k8c_jstr(pv, "status.lastPhaseTransitionTime") != NULL, "lastPhaseTransitionTime set");
	old = pv;
	pv = cJSON_Duplicate(old, 1);
	cJSON_ReplaceItemInObject(k8c_jobject(pv, "spec.hostPath"), "path",
	                          cJSON_CreateString("/other"));
	update(&k8c_kind_persistentvolumes, pv, old, &e);
	ok(e.n == 1 && strcmp(e.items[0].field, "spec.persistentvolumesource") == 0 &&
	       strncmp(e.items[0].detail,
	               "spec.persistentvolumesource is immutable after creation\n",
	               strlen("spec.persistentvolumesource is immutable after creation\n")) == 0,
	   "volume source is immutable");
	k8c_field_errors_free(&e);
	cJSON_Delete(pv);
	cJSON_Delete(old);

	pv = J("{\"metadata\":{\"name\":\"pv2\"},\"spec\":{\"accessModes\":[\"ReadWriteOncePod\","
	       "\"ReadWriteOnce\"],"
	       "\"capacity\":{\"storage\":\"0\"},\"persistentVolumeReclaimPolicy\":\"Keep\"}}");
	create(&k8c_kind_persistentvolumes, pv, &e);
	EXPECT_ERR(
	    &e,
	    "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes");
	EXPECT_ERR(&e, "spec.capacity[storage]: Invalid value: \"0\": must be greater than zero");
	EXPECT_ERR(&e, "spec.persistentVolumeReclaimPolicy: Unsupported value: \"Keep\": supported "
	               "values: \"Delete\", "
	               "\"Recycle\", \"Retain\"");
	EXPECT_ERR(&e, "spec: Required value: must specify a volume type");
	is_int(e.n, 4, "four errors");
	k8c_field_errors_free(&e);
	cJSON_Delete(pv);

	pv = J("{\"metadata\":{\"name\":\"pv1\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\"},"
	       "\"spec\":{\"capacity\":"
	       "{\"storage\":\"10Gi\"},\"accessModes\":[\"ReadOnlyMany\",\"ReadWriteOnce\"],"
	       "\"persistentVolumeReclaimPolicy\":"
	       "\"Retain\",\"claimRef\":{\"namespace\":\"default\",\"name\":\"data\"},"
	       "\"storageClassName\":\"standard\","
	       "\"volumeMode\":\"Filesystem\"},\"status\":{\"phase\":\"Bound\"}}");
	IS_ROW(&k8c_kind_persistentvolumes, pv,
	       "pv1|10Gi|RWO,ROX|Retain|Bound|default/data|standard|<unset>||60m|Filesystem",
	       "persistent volume row");
	cJSON_Delete(pv);

	pvc = J("{\"metadata\":{\"name\":\"data\"},\"spec\":{\"accessModes\":[\"ReadWriteOnce\"],"
	        "\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}");
	create(&k8c_kind_persistentvolumeclaims, pvc, &e);
	EXPECT_NO_ERRS(&e, "claim");
	is_str(S(pvc, "spec.volumeMode"), "Filesystem", "claim volumeMode Filesystem");
	is_str(S(pvc, "status.phase"), "Pending", "claim status.phase Pending");
	cJSON_Delete(pvc);

	pvc = J("{\"metadata\":{\"name\":\"data\"},\"spec\":{\"storageClassName\":\"Fast!\"}}");
	create(&k8c_kind_persistentvolumeclaims, pvc, &e);
	EXPECT_ERR(&e, "spec.accessModes: Required value: at least 1 access mode is required");
	EXPECT_ERR(&e, "spec.resources[storage]: Required value");
	ok(e.n == 3 && strcmp(e.items[2].field, "spec.storageClassName") == 0,
	   "storage class must be a subdomain");
	k8c_field_errors_free(&e);
	cJSON_Delete(pvc);

	old = J("{\"metadata\":{\"name\":\"data\"},\"spec\":{\"accessModes\":[\"ReadWriteOnce\"],"
	        "\"volumeName\":\"pv1\","
	        "\"volumeMode\":\"Filesystem\",\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}},"
	        "\"status\":{\"phase\":\"Bound\",\"capacity\":{\"storage\":\"1Gi\"}}}");
	pvc = J("{\"metadata\":{\"name\":\"data\"},\"spec\":{\"accessModes\":[\"ReadWriteOnce\"],"
	        "\"volumeName\":\"pv1\","
	        "\"resources\":{\"requests\":{\"storage\":\"2Gi\"}}}}");
	update(&k8c_kind_persistentvolumeclaims, pvc, old, &e);
	EXPECT_NO_ERRS(&e, "bound claims may grow");
	cJSON_Delete(pvc);
	pvc = J("{\"metadata\":{\"name\":\"data\"},\"spec\":{\"accessModes\":[\"ReadWriteMany\"],"
	        "\"volumeName\":\"pv1\","
	        "\"resources\":{\"requests\":{\"storage\":\"512Mi\"}}}}");
	update(&k8c_kind_persistentvolumeclaims, pvc, old, &e);
#define PVC_IMMUTABLE                                                                              \
	"spec is immutable after creation except resources.requests and "                          \
	"volumeAttributesClassName for bound claims\n"
	ok(e.n == 2 && strcmp(e.items[0].field, "spec") == 0 &&
	       strncmp(e.items[0].detail, PVC_IMMUTABLE, strlen(PVC_IMMUTABLE)) == 0,
	   "claim spec is immutable");
	EXPECT_ERR(&e, "spec.resources.requests.storage: Forbidden: field can not be less than "
	               "status.capacity");
	k8c_field_errors_free(&e);
	cJSON_Delete(pvc);
	cJSON_ReplaceItemInObject(
	    old, "metadata",
	    J("{\"name\":\"data\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\","
	      "\"annotations\":{\"volume.beta.kubernetes.io/storage-class\":\"gold\"}}"));
	cJSON_AddItemToObject(k8c_jobject(old, "status"), "accessModes", J("[\"ReadWriteOnce\"]"));
	IS_ROW(&k8c_kind_persistentvolumeclaims, old,
	       "data|Bound|pv1|1Gi|RWO|gold|<unset>|60m|Filesystem", "bound claim row");
	cJSON_Delete(old);
	pvc = J("{\"metadata\":{\"name\":\"data2\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\"},"
	        "\"spec\":{},"
	        "\"status\":{\"phase\":\"Pending\"}}");
	IS_ROW(&k8c_kind_persistentvolumeclaims, pvc, "data2|Pending|||||<unset>|60m|<unset>",
	       "pending claim row");
	cJSON_Delete(pvc);
}
