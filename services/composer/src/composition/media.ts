// The one place the composition engine reaches libs/media; switch to '@reelay/media' once the
// workspace link exists (npm install).
export * from '../../../../libs/media/src/index';
