export { postgresCdcConnector } from './connector';
