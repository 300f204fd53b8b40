'use strict';
// Example service (CommonJS) calling Azure OpenAI deployments. Run it with the hook:
//   node --require @tokenomics/node/register app.js
// The AzureOpenAI client reads AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and OPENAI_API_VERSION
// from the environment; AZURE_OPENAI_*_DEPLOYMENT name the deployments. The `[emulate ...]`
// directives ask the provider emulator for specific behaviour (`deployment_model` is the model
// behind a deployment there) and are plain prompt text to Azure.
const { AzureOpenAI } = require('openai');
const { withAttribution } = require('@tokenomics/node');

const CHAT = process.env.AZURE_OPENAI_CHAT_DEPLOYMENT || 'prod-chat';
const SUPPORT = process.env.AZURE_OPENAI_SUPPORT_DEPLOYMENT || 'support-bot';
const DRAFTS = process.env.AZURE_OPENAI_DRAFTS_DEPLOYMENT || 'team-b-chat';
const RESPONSES = process.env.AZURE_OPENAI_RESPONSES_DEPLOYMENT || 'prod-responses';
const EMBEDDINGS = process.env.AZURE_OPENAI_EMBEDDINGS_DEPLOYMENT || 'embeddings-prod';

const SHARED_CONTEXT = 'You are a support assistant for a bicycle shop. '.repeat(120);

async function main() {
  const client = (deployment) => new AzureOpenAI({ deployment, maxRetries: 0 });
  const chat = client(CHAT);
  const log = (line) => console.log(line);

  await withAttribution({ tenant: 'acme', feature: 'support' }, async () => {
    const r = await chat.chat.completions.create({
      model: CHAT,
      messages: [
        { role: 'system', content: SHARED_CONTEXT },
        { role: 'user', content: 'Do you repair e-bikes? [emulate cached=1024]' },
      ],
    });
    const u = r.usage;
    log(`chat ${CHAT} (${r.model}): ${u.prompt_tokens} in / ${u.prompt_tokens_details.cached_tokens} cached / ${u.completion_tokens} out`);
  });

  await withAttribution({ tenant: 'globex', feature: 'chat' }, async () => {
    let chunks = 0;
    let content = 0;
    let firstModel;
    const stream = await client(SUPPORT).chat.completions.create({
      model: SUPPORT,
      stream: true,
      messages: [
        { role: 'user', content: 'Tell me a short story about a tandem. [emulate deployment_model=gpt-4o-mini output_tokens=30]' },
      ],
    });
    for await (const chunk of stream) {
      if (chunks++ === 0) firstModel = chunk.model;
      if (chunk.choices[0]?.delta?.content) content++;
    }
    log(`stream ${SUPPORT}: ${content} content chunks, first chunk model ${JSON.stringify(firstModel)}`);

    const response = await new AzureOpenAI({ maxRetries: 0, apiVersion: '2025-03-01-preview' }).responses.create({
      model: RESPONSES,
      input: 'Summarise our returns policy.',
    });
    log(`responses ${RESPONSES} (${response.model}): ${response.usage.input_tokens} in / ${response.usage.output_tokens} out`);

    // The user cancels a draft as soon as the answer starts: only Azure's first chunk (no model) is read.
    const draft = await client(DRAFTS).chat.completions.create({
      model: DRAFTS,
      stream: true,
      messages: [{ role: 'user', content: 'Draft a reply to a complaint. [emulate deployment_model=gpt-4o-mini]' }],
    });
    for await (const chunk of draft) {
      log(`cancelled ${DRAFTS} after the first chunk (model ${JSON.stringify(chunk.model)})`);
      break;
    }
  });

  await withAttribution({ tenant: 'acme', feature: 'search' }, async () => {
    const emb = await client(EMBEDDINGS).embeddings.create({
      model: EMBEDDINGS,
      input: ['chain lube', 'disc brake pads', 'tubeless tyres'],
    });
    log(`embeddings ${EMBEDDINGS} (${emb.model}): ${emb.usage.prompt_tokens} in`);
    try {
      await chat.chat.completions.create({ model: CHAT, messages: [{ role: 'user', content: 'Busy? [emulate error=429]' }] });
    } catch (err) {
      log(`chat ${CHAT} failed: ${err.status}`);
    }
  });
  log('workload done');
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
