/* pod-topology-spread: per-node results remembered across cycles.
 *
 * Counting the matching pods of every node walks 150,000 pod objects on a
 * cluster of 5,000 nodes with 30 pods each, for every pod with spread
 * constraints: tens of milliseconds, bound by memory latency.  The pods of
 * one workload come one after the other with the same namespace and
 * selector, and between two of them only the node that took the last one
 * changed.  So the counts of each recent (namespace, selector) and the
 * values of each recent topology key are kept per node, valid while the
 * node keeps its generation (which the host changes whenever the node or
 * its pods change, and never gives two nodes: k8c_sched_node_t.generation).
 *
 * Nodes are remembered by their position in cycle->all_nodes (the same
 * order in every cycle until nodes come or go); a position whose node
 * changed gets a new stamp, and a remembered result is valid only under
 * the stamp it was computed at.  A host without generations (ABI < 1.4,
 * or generation 0) gets a new stamp every cycle: nothing is reused. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "spread.h"

#define MEMO_TABLES 16
#define MEMO_TOTALS 8
#define TOTALS_KEYS MEMO_TOTALS_KEYS

typedef struct position {
	char *name;          /* owned */
	uint64_t generation;
	uint64_t stamp;      /* 0: no node */
} position_t;

/* Results for one topology key or one (namespace, selector). */
typedef struct table {
	char *sig;           /* owned: the key, or namespace + '\n' + selector */
	int is_key;
	uint64_t id;         /* new each time the slot takes a sig */
	uint64_t used;       /* cycle that last used it */
	size_t cap;
	uint64_t *stamp;     /* owned, per position: stamp of the result */
	char **value;        /* key tables: owned copies, NULL when absent */
	int64_t *count;      /* selector tables */
} table_t;

/* Per (key, selector, keys a node must have): the matching pods of every
 * node summed by the node's value of the key, kept current by adjusting
 * the nodes whose stamp changed (memo_domain_totals). */
typedef struct totals {
	int used_slot;       /* in use */
	uint64_t used;       /* cycle that last used it */
	int key_tab, sel_tab, n_req;
	int req_tab[TOTALS_KEYS];
	uint64_t key_id, sel_id, req_id[TOTALS_KEYS]; /* the tables' ids then */
	size_t cap;
	uint64_t *stamp;     /* owned, per position: stamp of its contribution */
	uint32_t *entry;     /* owned, per position: entry of sums + 1, 0 none */
	int64_t *count;      /* owned, per position: what it added */
	domains_t sums;      /* value -> matching pods */
} totals_t;

struct memo {
	pthread_mutex_t lock; /* held between memo_begin and memo_end */
	uint64_t cycle, next_stamp, next_table_id;
	totals_t totals[MEMO_TOTALS];
	size_t n, cap;
	position_t *pos;
	ptrmap_t by_ptr;      /* this cycle's node pointers -> position */
	k8c_strmap_t by_name; /* name -> (void *)(position + 1) */
	int by_name_stale;
	table_t tables[MEMO_TABLES];
};

memo_t *memo_new(void)
{
	memo_t *m = k8c_xcalloc(1, sizeof(*m));

	pthread_mutex_init(&m->lock, NULL);
	k8c_strmap_init(&m->by_name);
	return m;
}

static void table_free(table_t *t)
{
	for (size_t i = 0; t->value != NULL && i < t->cap; i++)
		free(t->value[i]);
	free(t->value);
	free(t->count);
	free(t->stamp);
	free(t->sig);
	memset(t, 0, sizeof(*t));
}

static void totals_free(totals_t *t)
{
	free(t->stamp);
	free(t->entry);
	free(t->count);
	domains_clear(&t->sums);
	memset(t, 0, sizeof(*t));
}

void memo_free(memo_t *m)
{
	if (m == NULL)
		return;
	for (int i = 0; i < MEMO_TABLES; i++)
		table_free(&m->tables[i]);
	for (int i = 0; i < MEMO_TOTALS; i++)
		totals_free(&m->totals[i]);
	for (size_t i = 0; i < m->cap; i++)
		free(m->pos[i].name);
	free(m->pos);
	k8c_strmap_free(&m->by_name);
	ptrmap_clear(&m->by_ptr);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static const char *name_of(const k8c_sched_node_t *node)
{
	const cJSON *meta, *name;

	if (node->name != NULL)
		return node->name;
	meta = cJSON_GetObjectItemCaseSensitive(node->node, "metadata");
	name = cJSON_GetObjectItemCaseSensitive(meta, "name");
	return cJSON_IsString(name) ? name->valuestring : "";
}

void memo_begin(memo_t *m, const k8c_sched_node_t *const *nodes, size_t n,
                int has_generation)
{
	pthread_mutex_lock(&m->lock);
	m->cycle++;
	if (n > m->cap) {
		m->pos = k8c_xrealloc(m->pos, n * sizeof(position_t));
		memset(&m->pos[m->cap], 0, (n - m->cap) * sizeof(position_t));
		m->cap = n;
	}
	if (n != m->n)
		m->by_name_stale = 1;
	m->n = n;
	ptrmap_reset(&m->by_ptr, n);
	for (size_t i = 0; i < n; i++) {
		position_t *p = &m->pos[i];
		const char *name;
		uint64_t gen;

		if (nodes == NULL || nodes[i] == NULL) {
			p->stamp = 0;
			continue;
		}
		ptrmap_put(&m->by_ptr, nodes[i], (uint32_t)i);
		gen = has_generation ? nodes[i]->generation : 0;
		/* generations are unique across nodes: the same one is the
		 * same node, unchanged (no name to compare, 5,000 times a
		 * cycle) */
		if (gen != 0 && p->stamp != 0 && p->generation == gen)
			continue;
		name = name_of(nodes[i]);
		if (p->name == NULL || strcmp(p->name, name) != 0) {
			free(p->name);
			p->name = k8c_xstrdup(name);
			m->by_name_stale = 1;
		}
		p->generation = gen;
		p->stamp = ++m->next_stamp;
	}
}

void memo_end(memo_t *m)
{
	pthread_mutex_unlock(&m->lock);
}

ssize_t memo_pos(memo_t *m, const k8c_sched_node_t *node)
{
	uintptr_t i;
	uint32_t at;

	/* The node objects of all_nodes, as the host passes them again. */
	if (ptrmap_get(&m->by_ptr, node, &at))
		return m->pos[at].stamp != 0 ? (ssize_t)at : -1;
	if (m->by_name_stale) {
		k8c_strmap_free(&m->by_name);
		for (size_t j = 0; j < m->n; j++)
			if (m->pos[j].stamp != 0)
				k8c_strmap_put(&m->by_name, m->pos[j].name,
				               (void *)(uintptr_t)(j + 1));
		m->by_name_stale = 0;
	}
	i = (uintptr_t)k8c_strmap_get(&m->by_name, name_of(node));
	if (i == 0 || m->pos[i - 1].stamp == 0 ||
	    m->pos[i - 1].generation != node->generation)
		return -1;
	return (ssize_t)(i - 1);
}

/* The table for sig, made (evicting the least recently used one that this
 * cycle does not use) when missing; -1 when all are in use. */
static int table_for(memo_t *m, const char *sig, int is_key)
{
	int victim = -1;

	for (int i = 0; i < MEMO_TABLES; i++) {
		table_t *t = &m->tables[i];

		if (t->sig != NULL && t->is_key == is_key && strcmp(t->sig, sig) == 0) {
			t->used = m->cycle;
			return i;
		}
		if (t->used != m->cycle &&
		    (victim < 0 || t->used < m->tables[victim].used))
			victim = i;
	}
	if (victim < 0)
		return -1;
	table_free(&m->tables[victim]);
	m->tables[victim].id = ++m->next_table_id;
	m->tables[victim].sig = k8c_xstrdup(sig);
	m->tables[victim].is_key = is_key;
	m->tables[victim].used = m->cycle;
	return victim;
}

/* Make room for every position in t. */
static void table_fit(memo_t *m, table_t *t)
{
	if (t->cap >= m->cap)
		return;
	t->stamp = k8c_xrealloc(t->stamp, m->cap * sizeof(uint64_t));
	memset(&t->stamp[t->cap], 0, (m->cap - t->cap) * sizeof(uint64_t));
	if (t->is_key) {
		t->value = k8c_xrealloc(t->value, m->cap * sizeof(char *));
		memset(&t->value[t->cap], 0, (m->cap - t->cap) * sizeof(char *));
	} else {
		t->count = k8c_xrealloc(t->count, m->cap * sizeof(int64_t));
	}
	t->cap = m->cap;
}

int memo_key_table(memo_t *m, const char *key)
{
	return table_for(m, key, 1);
}

int memo_sel_table(memo_t *m, const char *ns, const k8c_label_selector_t *sel)
{
	_cleanup_free_ char *s = NULL, *sig = NULL;

	if (k8c_label_selector_is_nothing(sel))
		return -1; /* counts nothing: no need to remember */
	s = k8c_label_selector_string(sel);
	sig = k8c_xasprintf("%s\n%s", ns, s);
	return table_for(m, sig, 0);
}

const char *memo_label(memo_t *m, int table, ssize_t pos,
                       const k8c_sched_node_t *node, const char *key)
{
	table_t *t;
	const char *v;

	if (table < 0 || pos < 0 || m->pos[pos].stamp == 0)
		return label_value(node_labels(node), key);
	t = &m->tables[table];
	table_fit(m, t);
	if (t->stamp[pos] == m->pos[pos].stamp)
		return t->value[pos];
	v = label_value(node_labels(node), key);
	free(t->value[pos]);
	t->value[pos] = v != NULL ? k8c_xstrdup(v) : NULL;
	t->stamp[pos] = m->pos[pos].stamp;
	return t->value[pos];
}

/* m may be NULL (with table and pos -1): then nothing is kept. */
int64_t memo_count(memo_t *m, int table, ssize_t pos,
                   const k8c_sched_node_t *node, const char *ns,
                   const constraint_t *c)
{
	table_t *t;
	int64_t n = 0;

	if (k8c_label_selector_is_nothing(c->sel))
		return 0;
	if (table < 0 || pos < 0 || m->pos[pos].stamp == 0) {
		count_matching_pods(node, ns, c, 1, NULL, &n);
		return n;
	}
	t = &m->tables[table];
	table_fit(m, t);
	if (t->stamp[pos] != m->pos[pos].stamp) {
		count_matching_pods(node, ns, c, 1, NULL, &t->count[pos]);
		t->stamp[pos] = m->pos[pos].stamp;
	}
	return t->count[pos];
}

/* --- sums over all nodes -------------------------------------------------- */

static int totals_current(const memo_t *m, const totals_t *t)
{
	if (m->tables[t->key_tab].id != t->key_id || m->tables[t->sel_tab].id != t->sel_id)
		return 0;
	for (int r = 0; r < t->n_req; r++)
		if (m->tables[t->req_tab[r]].id != t->req_id[r])
			return 0;
	return 1;
}

/* The sums of key_tab, sel_tab and req_tab, made (evicting the least
 * recently used) when missing or when one of its tables took another sig. */
static totals_t *totals_for(memo_t *m, int key_tab, int sel_tab, const int *req_tab, int n_req)
{
	int victim = 0;
	totals_t *t;

	for (int i = 0; i < MEMO_TOTALS; i++) {
		t = &m->totals[i];
		if (t->used_slot && t->key_tab == key_tab && t->sel_tab == sel_tab &&
		    t->n_req == n_req && memcmp(t->req_tab, req_tab, (size_t)n_req * sizeof(int)) == 0 &&
		    totals_current(m, t)) {
			t->used = m->cycle;
			return t;
		}
		if (!m->totals[victim].used_slot)
			continue;
		if (!t->used_slot || t->used < m->totals[victim].used)
			victim = i;
	}
	t = &m->totals[victim];
	totals_free(t);
	t->used_slot = 1;
	t->used = m->cycle;
	t->key_tab = key_tab;
	t->sel_tab = sel_tab;
	t->key_id = m->tables[key_tab].id;
	t->sel_id = m->tables[sel_tab].id;
	t->n_req = n_req;
	for (int r = 0; r < n_req; r++) {
		t->req_tab[r] = req_tab[r];
		t->req_id[r] = m->tables[req_tab[r]].id;
	}
	return t;
}

static void totals_fit(const memo_t *m, totals_t *t)
{
	if (t->cap >= m->cap)
		return;
	t->stamp = k8c_xrealloc(t->stamp, m->cap * sizeof(uint64_t));
	t->entry = k8c_xrealloc(t->entry, m->cap * sizeof(uint32_t));
	t->count = k8c_xrealloc(t->count, m->cap * sizeof(int64_t));
	memset(&t->stamp[t->cap], 0, (m->cap - t->cap) * sizeof(uint64_t));
	memset(&t->entry[t->cap], 0, (m->cap - t->cap) * sizeof(uint32_t));
	memset(&t->count[t->cap], 0, (m->cap - t->cap) * sizeof(int64_t));
	t->cap = m->cap;
}

/* What the node at pos adds (its stamp is current and not 0). */
static void totals_add(memo_t *m, totals_t *t, size_t pos, const k8c_sched_node_t *node,
                       const memo_totals_query_t *q)
{
	const char *v;
	int64_t *sum, n;

	for (int r = 0; r < t->n_req; r++)
		if (memo_label(m, t->req_tab[r], (ssize_t)pos, node, q->req_keys[r]) == NULL)
			return; /* the node lacks a key: left out */
	v = memo_label(m, t->key_tab, (ssize_t)pos, node, q->key);
	n = memo_count(m, t->sel_tab, (ssize_t)pos, node, q->ns, q->c);
	sum = domain_add(&t->sums, v != NULL ? v : "");
	*sum += n;
	t->entry[pos] = (uint32_t)(sum - t->sums.count) + 1;
	t->count[pos] = n;
}

const domains_t *memo_domain_totals(memo_t *m, const k8c_sched_node_t *const *nodes,
                                    const memo_totals_query_t *q)
{
	totals_t *t = totals_for(m, q->key_tab, q->sel_tab, q->req_tab, q->n_req);

	totals_fit(m, t);
	table_fit(m, &m->tables[q->key_tab]);
	table_fit(m, &m->tables[q->sel_tab]);
	for (int r = 0; r < q->n_req; r++)
		table_fit(m, &m->tables[q->req_tab[r]]);
	for (size_t pos = 0; pos < t->cap; pos++) {
		uint64_t stamp = pos < m->n ? m->pos[pos].stamp : 0;

		if (t->stamp[pos] == stamp)
			continue; /* unchanged, or no node before nor now */
		if (t->entry[pos] != 0) {
			size_t e = t->entry[pos] - 1;

			t->sums.count[e] -= t->count[pos];
			t->entry[pos] = 0;
		}
		t->stamp[pos] = stamp;
		if (stamp != 0)
			totals_add(m, t, pos, nodes[pos], q);
	}
	return &t->sums;
}
