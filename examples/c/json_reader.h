/*
 * json_reader.h: the smallest JSON reader a code generator needs to walk a Cosma plan.
 *
 * A compiler has its own JSON library; the examples carry this one so that they build with
 * nothing but libcosma. It parses a whole document into a tree of nodes and remembers where each
 * value starts and ends in the text, so that a part (the plan inside a result) can be handed
 * back to libcosma as it is. Strings keep their escapes (Cosma's names need none).
 */
#ifndef JSON_READER_H
#define JSON_READER_H

#include <stdlib.h>
#include <string.h>

typedef struct json_node {
    char type;               /* 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null */
    const char *start, *end; /* the value's text: [start, end) */
    char *key;               /* the key, for a member of an object */
    char *text;              /* a string's contents */
    double number;           /* a number, or 1/0 for a bool */
    struct json_node *child, *next;
} json_node;

static void json_free(json_node *n) {
    while (n) {
        json_node *next = n->next;
        json_free(n->child);
        free(n->key);
        free(n->text);
        free(n);
        n = next;
    }
}

static const char *json_space(const char *p) {
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
    return p;
}

/* A string's contents, copied; *p is at the opening quote and ends after the closing one. */
static char *json_string(const char **p) {
    const char *s = ++*p;
    while (**p && **p != '"') *p += (**p == '\\' && (*p)[1]) ? 2 : 1;
    if (**p != '"') return NULL;
    size_t n = (size_t)(*p - s);
    char *out = (char *)malloc(n + 1);
    if (out) { memcpy(out, s, n); out[n] = 0; }
    ++*p;
    return out;
}

static json_node *json_value(const char **p, int depth);

/* The members of an object or the items of an array, up to `close`. */
static int json_children(json_node *n, const char **p, char close, int depth) {
    json_node **tail = &n->child;
    *p = json_space(*p + 1);
    if (**p == close) { ++*p; return 1; }
    for (;;) {
        char *key = NULL;
        if (close == '}') {
            if (**p != '"' || !(key = json_string(p))) return 0;
            *p = json_space(*p);
            if (**p != ':') { free(key); return 0; }
            *p = json_space(*p + 1);
        }
        json_node *child = json_value(p, depth + 1);
        if (!child) { free(key); return 0; }
        child->key = key;
        *tail = child;
        tail = &child->next;
        *p = json_space(*p);
        if (**p == ',') { *p = json_space(*p + 1); continue; }
        if (**p != close) return 0;
        ++*p;
        return 1;
    }
}

static json_node *json_value(const char **p, int depth) {
    json_node *n = (json_node *)calloc(1, sizeof *n);
    if (!n || depth > 64) { free(n); return NULL; }
    n->start = *p = json_space(*p);
    int ok = 1;
    if (**p == '{' || **p == '[') {
        n->type = **p == '{' ? 'o' : 'a';
        ok = json_children(n, p, **p == '{' ? '}' : ']', depth);
    } else if (**p == '"') {
        n->type = 's';
        ok = (n->text = json_string(p)) != NULL;
    } else if (!strncmp(*p, "true", 4) || !strncmp(*p, "false", 5)) {
        n->type = 'b';
        n->number = **p == 't';
        *p += n->number ? 4 : 5;
    } else if (!strncmp(*p, "null", 4)) {
        n->type = 'z';
        *p += 4;
    } else {
        char *end;
        n->type = 'n';
        n->number = strtod(*p, &end);
        ok = end != *p;
        *p = end;
    }
    n->end = *p;
    if (!ok) { json_free(n); return NULL; }
    return n;
}

/* The document's tree, or NULL when the text is not JSON. Free it with json_free. */
static json_node *json_parse(const char *text) {
    const char *p = text;
    json_node *root = json_value(&p, 0);
    if (root && *json_space(p)) { json_free(root); return NULL; }
    return root;
}

/* The member `key` of an object, or NULL. */
static const json_node *json_get(const json_node *object, const char *key) {
    for (const json_node *c = object ? object->child : NULL; c; c = c->next)
        if (c->key && !strcmp(c->key, key)) return c;
    return NULL;
}

/* A string member's contents, or "" when it is missing. */
static const char *json_text(const json_node *object, const char *key) {
    const json_node *n = json_get(object, key);
    return n && n->text ? n->text : "";
}

/* A number member, or -1 when it is missing. */
static long long json_int(const json_node *object, const char *key) {
    const json_node *n = json_get(object, key);
    return n && n->type == 'n' ? (long long)n->number : -1;
}

#endif
