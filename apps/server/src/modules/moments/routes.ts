import { Type } from 'typebox';
import { CreateMomentBody, FeedQuery, IdParam, MomentCommentBody, MomentSettingsBody } from '@plaza/protocol';
import { type App, member } from '../../http.js';
import { parseId } from '../../lib/ids.js';
import type { MomentsService } from './service.js';

const IdParams = Type.Object({ id: IdParam });
const CommentParams = Type.Object({ id: IdParam, commentId: IdParam });

export function registerMomentRoutes(app: App, moments: MomentsService) {
  const tags = ['moments'];
  const access = 'member' as const;

  app.post('/api/v1/moments', { config: { access }, schema: { tags, body: CreateMomentBody } }, async (request, reply) => {
    const post = await moments.createPost(member(request).accountId, request.body);
    reply.code(201);
    return { post };
  });
  app.get('/api/v1/moments/timeline', { config: { access }, schema: { tags, querystring: FeedQuery } }, async (request) =>
    moments.timeline(member(request).accountId, request.query.cursor, request.query.limit),
  );
  app.get('/api/v1/moments/settings', { config: { access }, schema: { tags } }, async (request) => ({
    settings: await moments.settings(member(request).accountId),
  }));
  app.patch('/api/v1/moments/settings', { config: { access }, schema: { tags, body: MomentSettingsBody } }, async (request) => ({
    settings: await moments.updateSettings(member(request).accountId, request.body),
  }));
  app.get(
    '/api/v1/moments/notifications',
    { config: { access }, schema: { tags, summary: 'Likes and comments on my posts and replies to my comments, newest first', querystring: FeedQuery } },
    async (request) => moments.notifications(member(request).accountId, request.query.cursor, request.query.limit),
  );
  app.get('/api/v1/moments/accounts/:id/posts', { config: { access }, schema: { tags, params: IdParams, querystring: FeedQuery } }, async (request) =>
    moments.album(member(request).accountId, parseId(request.params.id), request.query.cursor, request.query.limit),
  );
  app.get('/api/v1/moments/:id', { config: { access }, schema: { tags, params: IdParams } }, async (request) => ({
    post: await moments.getPost(member(request).accountId, parseId(request.params.id)),
  }));
  app.delete('/api/v1/moments/:id', { config: { access }, schema: { tags, params: IdParams } }, async (request, reply) => {
    await moments.deletePost(member(request).accountId, parseId(request.params.id));
    reply.code(204);
  });
  app.put('/api/v1/moments/:id/like', { config: { access }, schema: { tags, params: IdParams } }, async (request, reply) => {
    await moments.like(member(request).accountId, parseId(request.params.id));
    reply.code(204);
  });
  app.delete('/api/v1/moments/:id/like', { config: { access }, schema: { tags, params: IdParams } }, async (request, reply) => {
    await moments.unlike(member(request).accountId, parseId(request.params.id));
    reply.code(204);
  });
  app.post('/api/v1/moments/:id/comments', { config: { access }, schema: { tags, params: IdParams, body: MomentCommentBody } }, async (request, reply) => {
    const { text, replyToCommentId } = request.body;
    const comment = await moments.comment(
      member(request).accountId,
      parseId(request.params.id),
      text,
      replyToCommentId === undefined ? undefined : parseId(replyToCommentId, 'replyToCommentId'),
    );
    reply.code(201);
    return { comment };
  });
  app.delete('/api/v1/moments/:id/comments/:commentId', { config: { access }, schema: { tags, params: CommentParams } }, async (request, reply) => {
    await moments.deleteComment(member(request).accountId, parseId(request.params.id), parseId(request.params.commentId));
    reply.code(204);
  });
}
