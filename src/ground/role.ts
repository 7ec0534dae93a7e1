// The four roles a Raft node can hold: named once, below both the core and the
// role machine that moves a node between them.

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';
