import { Migration } from '@mikro-orm/migrations';

export class Migration20261121055251_knowledge_base extends Migration {

  override async up(): Promise<void> {
    // Hand-written: trigram matching for typo tolerance and completion of the word being typed (kb_term). pg_trgm is
    // a trusted contrib extension, shipped with the embedded PostgreSQL and the usual server packages.
    this.addSql(`create extension if not exists pg_trgm;`);

    this.addSql(`create table "kb_article" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "slug" varchar(120) not null, "title" varchar(200) not null, "summary" varchar(500) not null, "body" text not null, "tags" text[] not null, "product_area" varchar(40) not null, "visibility" varchar(60) not null, "status" text check ("status" in ('PUBLISHED', 'ARCHIVED')) not null default 'PUBLISHED', "origin" text check ("origin" in ('FILE', 'ADMIN')) not null, "file_path" varchar(300) null, "file_hash" varchar(64) null, "content_hash" varchar(64) not null, "version" int not null default 1, "content_updated_at" timestamptz not null, "archived_at" timestamptz null, constraint "kb_article_pkey" primary key ("id"));`);
    this.addSql(`alter table "kb_article" add constraint "kb_article_slug_unique" unique ("slug");`);

    this.addSql(`create table "kb_article_version" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "article_id" uuid not null, "version" int not null, "title" varchar(200) not null, "summary" varchar(500) not null, "body" text not null, "tags" text[] not null, "product_area" varchar(40) not null, "visibility" varchar(60) not null, "status" text check ("status" in ('PUBLISHED', 'ARCHIVED')) not null, "source" text check ("source" in ('FILE', 'ADMIN')) not null, "actor" varchar(200) not null, "content_hash" varchar(64) not null, "content_updated_at" timestamptz not null, constraint "kb_article_version_pkey" primary key ("id"));`);
    this.addSql(`alter table "kb_article_version" add constraint "kb_article_version_article_id_version_unique" unique ("article_id", "version");`);

    this.addSql(`create table "kb_search_document" ("id" uuid not null, "slug" varchar(120) not null, "title" text not null, "summary" text not null, "body" text not null, "tags" text[] not null, "tag_text" text not null, "product_area" varchar(40) not null, "visibility" varchar(60) not null, "updated_at" timestamptz not null, "revision" varchar(64) not null, "search_vector" tsvector generated always as (setweight(to_tsvector('english'::regconfig, title), 'A'::"char") || setweight(to_tsvector('english'::regconfig, summary), 'B'::"char") || setweight(to_tsvector('english'::regconfig, tag_text), 'C'::"char") || setweight(to_tsvector('english'::regconfig, body), 'D'::"char")) stored null, "head_vector" tsvector generated always as ((setweight(to_tsvector('english'::regconfig, title), 'A'::"char") || setweight(to_tsvector('english'::regconfig, summary), 'B'::"char")) || setweight(to_tsvector('english'::regconfig, tag_text), 'C'::"char")) stored null, constraint "kb_search_document_pkey" primary key ("id"));`);
    this.addSql(`create index "kb_search_document_product_area_index" on "kb_search_document" ("product_area");`);
    this.addSql(`create index "kb_search_document_visibility_index" on "kb_search_document" ("visibility");`);
    this.addSql(`create index "kb_search_document_vector_index" on "kb_search_document" using gin ("search_vector");`);

    this.addSql(`create table "kb_term" ("word" varchar(100) not null, "documents" int not null, constraint "kb_term_pkey" primary key ("word"));`);
    this.addSql(`create index "kb_term_word_prefix_index" on "kb_term" ("word" text_pattern_ops);`);
    this.addSql(`create index "kb_term_word_trgm_index" on "kb_term" using gist ("word" gist_trgm_ops);`);

    this.addSql(`create table "kb_search_event" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid null, "actor" varchar(200) not null, "kind" text check ("kind" in ('SEARCH', 'SUGGESTION')) not null, "query" varchar(300) not null, "result_count" int not null, "searched_at" timestamptz not null, constraint "kb_search_event_pkey" primary key ("id"));`);
    this.addSql(`create index "kb_search_event_searched_at_index" on "kb_search_event" ("searched_at");`);
    this.addSql(`create index "kb_search_event_actor_searched_at_index" on "kb_search_event" ("actor", "searched_at");`);

    this.addSql(`create table "kb_article_feedback" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid not null, "article_id" uuid not null, "user_id" uuid null, "actor" varchar(200) not null, "helpful" boolean not null, "comment" varchar(1000) null, "search_id" uuid null, "answered_at" timestamptz not null, constraint "kb_article_feedback_pkey" primary key ("id"));`);
    this.addSql(`alter table "kb_article_feedback" add constraint "kb_article_feedback_article_id_actor_unique" unique ("article_id", "actor");`);

    this.addSql(`alter table "kb_article_version" add constraint "kb_article_version_article_id_foreign" foreign key ("article_id") references "kb_article" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "kb_search_event" add constraint "kb_search_event_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "kb_article_feedback" add constraint "kb_article_feedback_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "kb_article_feedback" add constraint "kb_article_feedback_article_id_foreign" foreign key ("article_id") references "kb_article" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "kb_article_feedback" add constraint "kb_article_feedback_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "kb_article_version" drop constraint "kb_article_version_article_id_foreign";`);

    this.addSql(`alter table "kb_article_feedback" drop constraint "kb_article_feedback_article_id_foreign";`);

    this.addSql(`drop table if exists "kb_article" cascade;`);

    this.addSql(`drop table if exists "kb_article_version" cascade;`);

    this.addSql(`drop table if exists "kb_search_document" cascade;`);

    this.addSql(`drop table if exists "kb_term" cascade;`);

    this.addSql(`drop table if exists "kb_search_event" cascade;`);

    this.addSql(`drop table if exists "kb_article_feedback" cascade;`);
  }

}
