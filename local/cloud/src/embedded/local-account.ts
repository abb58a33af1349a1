/** The one region and account the embedded cloud plays: every ARN and every issued key names them. */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
