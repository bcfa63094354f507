import { Type } from 'typebox';
import {
  ChannelCommentBody,
  ChannelFeed,
  ChannelPostBody,
  ChannelViewBody,
  CreateChannelBody,
  ExperimentBody,
  FeedQuery,
  IdParam,
  PromoteBody,
  ShareChannelPostBody,
  VerificationBody,
  VerificationDecisionBody,
  VerificationStatus,
} from '@plaza/protocol';
import { type App, member, operator } from '../../http.js';
import { parseId } from '../../lib/ids.js';
import type { ChannelsService } from './service.js';

const IdParams = Type.Object({ id: IdParam });
const CommentParams = Type.Object({ id: IdParam, commentId: IdParam });
const FeedKindQuery = Type.Object({
  kind: Type.Optional(ChannelFeed),
  cursor: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
});
const ReviewQuery = Type.Object({
  status: Type.Optional(VerificationStatus),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
});
const CommentsQuery = Type.Object({
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
});

export function registerChannelRoutes(app: App, channels: ChannelsService) {
  const tags = ['channels'];
  const access = 'member' as const;

  app.post('/api/v1/channels', { config: { access }, schema: { tags, body: CreateChannelBody } }, async (request, reply) => {
    const channel = await channels.openChannel(member(request).accountId, request.body);
    reply.code(201);
    return { channel };
  });
  app.get('/api/v1/channels/mine', { config: { access }, schema: { tags } }, async (request) => ({
    channel: await channels.myChannel(member(request).accountId),
  }));
  app.get(
    '/api/v1/channels/mine/verification',
    { config: { access }, schema: { tags, summary: 'My channel’s verification eligibility and latest application' } },
    async (request) => channels.verification.mine(member(request).accountId),
  );
  app.post(
    '/api/v1/channels/mine/verification',
    { config: { access }, schema: { tags, summary: 'Apply for creator verification with proof of influence', body: VerificationBody } },
    async (request, reply) => {
      const application = await channels.verification.apply(member(request).accountId, request.body);
      reply.code(201);
      return { application };
    },
  );
  app.get(
    '/api/v1/operator/channel-verifications',
    {
      config: { access: 'operator' },
      schema: { tags: ['operator', ...tags], summary: 'Creator verification applications by status', querystring: ReviewQuery },
    },
    async (request) => {
      operator(request);
      return channels.verification.queue(request.query.status ?? 'pending', request.query.cursor, request.query.limit);
    },
  );
  app.post(
    '/api/v1/operator/channel-verifications/:id/decision',
    {
      config: { access: 'operator' },
      schema: { tags: ['operator', ...tags], summary: 'Approve or reject a creator verification', params: IdParams, body: VerificationDecisionBody },
    },
    async (request) => ({
      application: await channels.verification.decide(operator(request).accountId, parseId(request.params.id), request.body.approve, request.body.note),
    }),
  );
  app.get('/api/v1/channels/feed', { config: { access }, schema: { tags, querystring: FeedKindQuery } }, async (request) =>
    channels.feed(member(request).accountId, request.query.kind ?? 'following', request.query.cursor, request.query.limit),
  );
  app.get('/api/v1/channels/:id', { config: { access }, schema: { tags, params: IdParams } }, async (request) => ({
    channel: await channels.getChannel(member(request).accountId, parseId(request.params.id)),
  }));
  app.get('/api/v1/channels/:id/posts', { config: { access }, schema: { tags, params: IdParams, querystring: FeedQuery } }, async (request) =>
    channels.channelPosts(member(request).accountId, parseId(request.params.id), request.query.cursor, request.query.limit),
  );
  app.put('/api/v1/channels/:id/follow', { config: { access }, schema: { tags, params: IdParams } }, async (request, reply) => {
    await channels.follow(member(request).accountId, parseId(request.params.id));
    reply.code(204);
  });
  app.delete('/api/v1/channels/:id/follow', { config: { access }, schema: { tags, params: IdParams } }, async (request, reply) => {
    await channels.unfollow(member(request).accountId, parseId(request.params.id));
    reply.code(204);
  });

  app.post('/api/v1/channel-posts', { config: { access }, schema: { tags, body: ChannelPostBody } }, async (request, reply) => {
    const post = await channels.createPost(member(request).accountId, request.body);
    reply.code(201);
    return { post };
  });
  app.get('/api/v1/channel-posts/:id', { config: { access }, schema: { tags, params: IdParams } }, async (request) => ({
    post: await channels.getPost(member(request).accountId, parseId(request.params.id)),
  }));
  app.delete('/api/v1/channel-posts/:id', { config: { access }, schema: { tags, params: IdParams } }, async (request, reply) => {
    await channels.deletePost(member(request).accountId, parseId(request.params.id));
    reply.code(204);
  });
  app.put('/api/v1/channel-posts/:id/like', { config: { access }, schema: { tags, params: IdParams } }, async (request, reply) => {
    await channels.like(member(request).accountId, parseId(request.params.id));
    reply.code(204);
  });
  app.delete('/api/v1/channel-posts/:id/like', { config: { access }, schema: { tags, params: IdParams } }, async (request, reply) => {
    await channels.unlike(member(request).accountId, parseId(request.params.id));
    reply.code(204);
  });
  app.post(
    '/api/v1/channel-posts/:id/comments',
    { config: { access }, schema: { tags, params: IdParams, body: ChannelCommentBody } },
    async (request, reply) => {
      const comment = await channels.comment(member(request).accountId, parseId(request.params.id), request.body.text);
      reply.code(201);
      return { comment };
    },
  );
  app.get('/api/v1/channel-posts/:id/comments', { config: { access }, schema: { tags, params: IdParams, querystring: CommentsQuery } }, async (request) =>
    channels.listComments(parseId(request.params.id), request.query.cursor ? Number(request.query.cursor) : 0, request.query.limit ?? 20),
  );
  app.post(
    '/api/v1/channel-posts/:id/share',
    { config: { access }, schema: { tags, summary: 'Share a channel post into a chat or my Moments', params: IdParams, body: ShareChannelPostBody } },
    async (request, reply) => {
      const shared = await channels.share(member(request).accountId, parseId(request.params.id), request.body);
      reply.code(201);
      return shared;
    },
  );
  app.post(
    '/api/v1/channel-posts/:id/views',
    {
      config: { access },
      schema: { tags, summary: 'Record that I was shown (or finished) a post, for its A/B test', params: IdParams, body: ChannelViewBody },
    },
    async (request, reply) => {
      await channels.experiments.view(member(request).accountId, parseId(request.params.id), request.body.completed ?? false);
      reply.code(204);
    },
  );
  app.post(
    '/api/v1/channel-posts/:id/experiments',
    { config: { access }, schema: { tags, summary: 'Start an A/B test of caption and cover variants', params: IdParams, body: ExperimentBody } },
    async (request, reply) => {
      const experiment = await channels.experiments.start(member(request).accountId, parseId(request.params.id), request.body);
      reply.code(201);
      return { experiment };
    },
  );
  app.get(
    '/api/v1/channel-posts/:id/experiments',
    { config: { access }, schema: { tags, summary: 'A post’s A/B tests with figures per variant (owner or operator)', params: IdParams } },
    async (request) => channels.experiments.list(member(request).accountId, parseId(request.params.id)),
  );
  app.get(
    '/api/v1/channel-experiments/:id',
    { config: { access }, schema: { tags, summary: 'One A/B test with figures per variant (owner or operator)', params: IdParams } },
    async (request) => ({ experiment: await channels.experiments.get(member(request).accountId, parseId(request.params.id)) }),
  );
  app.post(
    '/api/v1/channel-experiments/:id/promote',
    { config: { access }, schema: { tags, summary: 'Make a variant the post’s caption and cover and end the test', params: IdParams, body: PromoteBody } },
    async (request) => ({
      experiment: await channels.experiments.promote(member(request).accountId, parseId(request.params.id), parseId(request.body.variantId, 'variantId')),
    }),
  );
  app.delete('/api/v1/channel-posts/:id/comments/:commentId', { config: { access }, schema: { tags, params: CommentParams } }, async (request, reply) => {
    await channels.deleteComment(member(request).accountId, parseId(request.params.id), parseId(request.params.commentId));
    reply.code(204);
  });
}
