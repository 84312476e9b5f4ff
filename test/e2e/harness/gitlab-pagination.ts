// GitLab's pagination as the REST API answers it: offset pages with x-* headers and a Link
// header, the Gitaly "first page" shortcut, and keyset pages with a page_token.
// Sources: lib/gitlab/pagination/offset_pagination.rb, offset_header_builder.rb,
// gitaly_keyset_pager.rb, keyset/header_builder.rb, lib/api/helpers/pagination params.

export interface PageParams {
  page: number;
  perPage: number;
}

export type Headers = Record<string, string>;

/** Kaminari's default and maximum page sizes in GitLab (config/initializers/kaminari_config.rb). */
export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 100;

/** `page` and `per_page` as Grape and Kaminari coerce them: bad or missing values fall back to defaults. */
export function pageParams(query: URLSearchParams): PageParams {
  const page = Number.parseInt(query.get("page") ?? "", 10);
  const perPage = Number.parseInt(query.get("per_page") ?? "", 10);
  return {
    page: Number.isFinite(page) && page >= 1 ? page : 1,
    // Kaminari caps per_page at max_per_page (100) rather than refusing larger values.
    perPage: Number.isFinite(perPage) && perPage >= 1 ? Math.min(perPage, MAX_PER_PAGE) : DEFAULT_PER_PAGE,
  };
}

/** Rails' Hash#to_query: keys sorted, `key[]=v` for arrays, CGI escaping (space as +). */
export function toQuery(params: Map<string, string[]>): string {
  const escape = (s: string) =>
    encodeURIComponent(s)
      .replace(/%20/g, "+")
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return [...params.keys()]
    .sort()
    .flatMap((key) => {
      const values = params.get(key)!;
      return key.endsWith("[]") ? values.map((v) => `${escape(key)}=${escape(v)}`) : [`${escape(key)}=${escape(values.at(-1)!)}`];
    })
    .join("&");
}

function paramsOf(query: URLSearchParams): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [k, v] of query) map.set(k, [...(map.get(k) ?? []), v]);
  return map;
}

/** A link to the same endpoint with some parameters replaced, as GitLab builds Link headers. */
export function pageHref(base: string, query: URLSearchParams, replace: Record<string, string>): string {
  const params = paramsOf(query);
  for (const [k, v] of Object.entries(replace)) params.set(k, [v]);
  return `${base}?${toQuery(params)}`;
}

interface OffsetHeaderInput {
  base: string;
  query: URLSearchParams;
  perPage: number;
  page: number;
  nextPage: number | undefined;
  prevPage: number | undefined;
  total: number;
  totalPages: number;
}

/** OffsetHeaderBuilder#execute: x-per-page, x-page, x-next-page, x-prev-page, Link, x-total, x-total-pages. */
export function offsetHeaders(h: OffsetHeaderInput): Headers {
  const href = (page: number) => pageHref(h.base, h.query, { page: String(page), per_page: String(h.perPage) });
  const links: string[] = [];
  if (h.prevPage !== undefined) links.push(`<${href(h.prevPage)}>; rel="prev"`);
  if (h.nextPage !== undefined) links.push(`<${href(h.nextPage)}>; rel="next"`);
  links.push(`<${href(1)}>; rel="first"`);
  links.push(`<${href(h.totalPages)}>; rel="last"`);
  return {
    "x-per-page": String(h.perPage),
    "x-page": String(h.page),
    "x-next-page": h.nextPage === undefined ? "" : String(h.nextPage),
    "x-prev-page": h.prevPage === undefined ? "" : String(h.prevPage),
    link: links.join(", "),
    "x-total": String(h.total),
    "x-total-pages": String(h.totalPages),
  };
}

/** Kaminari over a whole list (OffsetPagination#paginate): exact headers, an empty page past the end. */
export function offsetPage<T>(all: readonly T[], base: string, query: URLSearchParams): { items: T[]; headers: Headers } {
  const { page, perPage } = pageParams(query);
  const totalPages = Math.max(Math.ceil(all.length / perPage), 1);
  return {
    items: all.slice((page - 1) * perPage, page * perPage),
    headers: offsetHeaders({
      base,
      query,
      perPage,
      page,
      nextPage: page < totalPages ? page + 1 : undefined,
      prevPage: page > 1 ? page - 1 : undefined,
      total: all.length,
      totalPages,
    }),
  };
}

/**
 * GitalyKeysetPager#paginate_first_page_via_gitaly: page 1 (or no page) of tags, branches and
 * trees comes from Gitaly with headers imitating offset pagination; x-total counts every ref even
 * when `search` filtered them. Current GitLab computes x-total-pages = ceil(total / per_page) and
 * omits x-next-page when that is 1. Older releases (`legacy`) always said x-next-page 2 and
 * x-total-pages = total / per_page + 1 (integer division), so a client walking x-next-page asked
 * for one page too many and got `[]`.
 */
export function firstPageHeaders(base: string, query: URLSearchParams, total: number, legacy = false): Headers {
  const { perPage } = pageParams(query);
  const totalPages = legacy ? Math.floor(total / perPage) + 1 : Math.ceil(total / perPage);
  return offsetHeaders({
    base,
    query,
    perPage,
    page: 1,
    nextPage: legacy || totalPages > 1 ? 2 : undefined,
    prevPage: undefined,
    total,
    totalPages,
  });
}

/** True when GitLab serves this request with the Gitaly first-page shortcut. */
export function isFirstPage(query: URLSearchParams): boolean {
  const page = query.get("page");
  return page === null || page === "" || Number.parseInt(page, 10) === 1;
}

/** Keyset::HeaderBuilder#add_next_page_header: the next page as `Link` (and the legacy `Links`). */
export function keysetHeaders(base: string, query: URLSearchParams, pageToken: string | undefined): Headers {
  if (pageToken === undefined) return {};
  const link = `<${pageHref(base, query, { page_token: pageToken })}>; rel="next"`;
  return { links: link, link };
}
