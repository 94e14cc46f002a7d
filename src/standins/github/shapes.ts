/**
 * GitHub's REST objects as the API sends them (every field the published
 * OpenAPI description requires; the contract test checks it), built from the
 * stand-in's state.
 */
export interface Urls {
  readonly api: string;
  readonly web: string;
}

let nextId = 1000;
export const newId = (): number => (nextId += 1);
export const nodeId = (kind: string, id: number): string =>
  Buffer.from(`${kind}${id}`).toString('base64').replace(/=+$/, '');

export function user(urls: Urls, login: string, type: 'User' | 'Bot' = 'User'): Record<string, unknown> {
  const api = `${urls.api}/users/${login}`;
  const id = [...login].reduce((sum, ch) => sum * 31 + ch.charCodeAt(0), 7) % 10_000_000;
  return {
    login,
    id,
    node_id: nodeId('U_', id),
    avatar_url: `${urls.web}/avatars/${login}`,
    gravatar_id: '',
    url: api,
    html_url: `${urls.web}/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type,
    site_admin: false,
  };
}

const REPO_URLS: Record<string, string> = {
  archive_url: '/{archive_format}{/ref}',
  assignees_url: '/assignees{/user}',
  blobs_url: '/git/blobs{/sha}',
  branches_url: '/branches{/branch}',
  collaborators_url: '/collaborators{/collaborator}',
  comments_url: '/comments{/number}',
  commits_url: '/commits{/sha}',
  compare_url: '/compare/{base}...{head}',
  contents_url: '/contents/{+path}',
  contributors_url: '/contributors',
  deployments_url: '/deployments',
  downloads_url: '/downloads',
  events_url: '/events',
  forks_url: '/forks',
  git_commits_url: '/git/commits{/sha}',
  git_refs_url: '/git/refs{/sha}',
  git_tags_url: '/git/tags{/sha}',
  hooks_url: '/hooks',
  issue_comment_url: '/issues/comments{/number}',
  issue_events_url: '/issues/events{/number}',
  issues_url: '/issues{/number}',
  keys_url: '/keys{/key_id}',
  labels_url: '/labels{/name}',
  languages_url: '/languages',
  merges_url: '/merges',
  milestones_url: '/milestones{/number}',
  notifications_url: '/notifications{?since,all,participating}',
  pulls_url: '/pulls{/number}',
  releases_url: '/releases{/id}',
  stargazers_url: '/stargazers',
  statuses_url: '/statuses/{sha}',
  subscribers_url: '/subscribers',
  subscription_url: '/subscription',
  tags_url: '/tags',
  teams_url: '/teams',
  trees_url: '/git/trees{/sha}',
};

export interface RepoFacts {
  readonly id: number;
  readonly owner: string;
  readonly name: string;
  readonly defaultBranch: string;
  readonly createdAt: string;
}

export function repository(urls: Urls, repo: RepoFacts): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  const html = `${urls.web}/${repo.owner}/${repo.name}`;
  const templated = Object.fromEntries(Object.entries(REPO_URLS).map(([key, suffix]) => [key, `${api}${suffix}`]));
  return {
    id: repo.id,
    node_id: nodeId('R_', repo.id),
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    owner: user(urls, repo.owner, 'User'),
    private: true,
    html_url: html,
    description: null,
    fork: false,
    url: api,
    ...templated,
    git_url: `git://github.com/${repo.owner}/${repo.name}.git`,
    ssh_url: `git@github.com:${repo.owner}/${repo.name}.git`,
    clone_url: `${html}.git`,
    svn_url: html,
    mirror_url: null,
    homepage: null,
    language: 'TypeScript',
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 1,
    default_branch: repo.defaultBranch,
    open_issues: 0,
    open_issues_count: 0,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: repo.createdAt,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
  };
}

export function label(urls: Urls, repo: RepoFacts, name: string): Record<string, unknown> {
  const id = [...name].reduce((sum, ch) => sum * 31 + ch.charCodeAt(0), 11) % 10_000_000;
  return {
    id,
    node_id: nodeId('LA_', id),
    url: `${urls.api}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(name)}`,
    name,
    description: null,
    color: 'd73a4a',
    default: false,
  };
}
