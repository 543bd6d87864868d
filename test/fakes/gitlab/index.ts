export * from './fake-gitlab-server.js';
